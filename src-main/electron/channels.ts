// The two IPC channels between the window and the engine, and the envelope they carry. Kept free of imports so
// the preload bundle stays tiny (a sandboxed preload can only require 'electron').

/** renderer → main: `ipcRenderer.invoke(INVOKE_CHANNEL, name, input)` answers with an {@link InvokeReply}. */
export const INVOKE_CHANNEL = 'scripthut:invoke';
/** main → renderer: every engine event, as `{ event, payload }`. */
export const EVENT_CHANNEL = 'scripthut:event';

export interface BridgeErrorBody {
  code: string;
  message: string;
  /** Structured detail (e.g. line/column of a workflow error), when the engine gives one. */
  details?: unknown;
}

/** Errors never cross IPC as thrown values: Electron would keep only their message. */
export type InvokeReply = { ok: true; result: unknown } | { ok: false; error: BridgeErrorBody };

/** The object the preload exposes as `window.scripthut`. */
export interface ScripthutBridge {
  invoke(name: string, input?: unknown): Promise<unknown>;
  on(listener: (e: { event: string; payload: unknown }) => void): () => void;
}
