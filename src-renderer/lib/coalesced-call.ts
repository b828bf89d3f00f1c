// Live views reload on a burst of events once, a little later, instead of once per event.
export interface CoalescedCall {
  /** Run the call after `ms`, unless a run is already due. */
  soon(): void;
  cancel(): void;
}

export function coalesced(call: () => void, ms: number): CoalescedCall {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    soon() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        call();
      }, ms);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
