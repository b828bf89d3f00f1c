// Runs sandboxed in the window before the page. Exposes exactly `window.scripthut = { invoke, on }`; the page
// never sees ipcRenderer itself. Bundled to CommonJS (scripts/build-main.mjs): sandboxed preloads cannot load ESM.
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL, type InvokeReply, type ScripthutBridge } from './channels';

type RendererIpc = Pick<typeof ipcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** What a failed call rejects with: `{ name: 'ApiError', code, message, details? }`. */
export interface BridgeError {
  name: 'ApiError';
  code: string;
  message: string;
  details?: unknown;
  toString(): string;
}

/*
 * contextBridge rebuilds a rejected Error in the page from its message alone, dropping `code`. A plain object
 * keeps every field, so the page receives `{ name, code, message, details }` (String(err) still reads well).
 */
function bridgeError(code: string, message: string, details?: unknown): BridgeError {
  const err: BridgeError = { name: 'ApiError', code, message, toString: () => `ApiError [${code}]: ${message}` };
  if (details !== undefined) err.details = details;
  return err;
}

export function createBridge(ipc: RendererIpc): ScripthutBridge {
  return {
    async invoke(name: string, input?: unknown): Promise<unknown> {
      let reply: InvokeReply;
      try {
        reply = (await ipc.invoke(INVOKE_CHANNEL, name, input)) as InvokeReply;
      } catch (err) {
        throw bridgeError('internal', `The ScriptHut engine did not answer ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (reply.ok) return reply.result;
      throw bridgeError(reply.error.code, reply.error.message, reply.error.details);
    },
    on(listener) {
      if (typeof listener !== 'function') throw new TypeError('scripthut.on(listener): listener must be a function');
      // The IPC event object carries `sender` (ipcRenderer itself); only the message goes to the page.
      const wrapped = (_event: unknown, message: { event: string; payload: unknown }): void => listener(message);
      ipc.on(EVENT_CHANNEL, wrapped);
      return () => {
        ipc.removeListener(EVENT_CHANNEL, wrapped);
      };
    },
  };
}

contextBridge.exposeInMainWorld('scripthut', createBridge(ipcRenderer));
