import type { EngineApi } from '../engine/dispatch';

/** The engine API with the log file added to `health` (additive `log_file` field, shown in the UI's About). */
export function withLogFile(api: EngineApi, logFile: string | null): EngineApi {
  return {
    subscribe: (listener) => api.subscribe(listener),
    invoke: (async (name: string, input: unknown) => {
      const out = await api.invoke(name as never, input);
      return name === 'health' ? { ...(out as object), log_file: logFile } : out;
    }) as EngineApi['invoke'],
  };
}
