// The Electron adapter of the API contract: one invoke channel for every call in `calls`, one event channel.
// Nothing here lists calls by hand; a call added to the contract is reachable from the window at once.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { ApiError, calls, describeZodError, type EngineEvent } from '../../src-shared/api/contract';
import { isCallName, toApiError, type EngineApi } from '../engine/dispatch';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type BridgeErrorBody, type InvokeReply } from './channels';
import { isAppUrl } from './security';

export interface IpcOptions {
  api: EngineApi;
  /** The main window's webContents (null while no window is open); only it may call the engine. */
  trustedContents: () => WebContents | null;
  /** Called with the reason each time a call is refused for its sender (logging). */
  onRefused?: (reason: string) => void;
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

function fail(err: ApiError): InvokeReply {
  const error: BridgeErrorBody = { code: err.code, message: err.message };
  if (err.details !== undefined) {
    // IPC clones structurally and throws on functions or class instances; JSON keeps what a page can use.
    try {
      error.details = JSON.parse(JSON.stringify(err.details)) as unknown;
    } catch {
      // Details that cannot be copied are dropped; code and message still explain the failure.
    }
  }
  return { ok: false, error };
}

/** Why this sender may not call the engine, or null if it may. */
export function senderProblem(event: SenderEvent, trusted: WebContents | null): string | null {
  const frameUrl = event.senderFrame?.url ?? '';
  if (!trusted || event.sender !== trusted) return 'the call did not come from the ScriptHut window';
  if (!isAppUrl(frameUrl)) return `the calling page (${frameUrl || 'unknown'}) is not part of the app`;
  return null;
}

/** The handler behind INVOKE_CHANNEL; exported so tests can drive it without Electron. */
export function createInvokeHandler(opts: IpcOptions) {
  return async (event: SenderEvent, name: unknown, input: unknown): Promise<InvokeReply> => {
    const problem = senderProblem(event, opts.trustedContents());
    if (problem) {
      opts.onRefused?.(problem);
      return fail(new ApiError('unauthorized', `Refused: ${problem}.`));
    }
    if (typeof name !== 'string' || !isCallName(name)) {
      return fail(
        new ApiError('not_found', `Unknown call ${JSON.stringify(name)}. Known calls: ${Object.keys(calls).join(', ')}.`),
      );
    }
    // Validated here as well as in the engine so a malformed request never reaches engine code.
    const parsed = calls[name].input.safeParse(input ?? {});
    if (!parsed.success) return fail(new ApiError('bad_input', `Invalid input for ${name}:\n${describeZodError(parsed.error)}`));
    try {
      const result = await opts.api.invoke(name, input ?? {});
      return { ok: true, result };
    } catch (err) {
      return fail(toApiError(err));
    }
  };
}

/** Registers the invoke channel; returns a function that removes it. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, opts: IpcOptions): () => void {
  const handler = createInvokeHandler(opts);
  ipcMain.handle(INVOKE_CHANNEL, (event, name: unknown, input: unknown) => handler(event, name, input));
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/** Pushes every engine event to the window on EVENT_CHANNEL; returns the unsubscribe function. */
export function forwardEvents(api: EngineApi, target: () => WebContents | null): () => void {
  return api.subscribe((e: EngineEvent) => {
    const contents = target();
    if (!contents || contents.isDestroyed()) return;
    contents.send(EVENT_CHANNEL, { event: e.event, payload: e.payload });
  });
}
