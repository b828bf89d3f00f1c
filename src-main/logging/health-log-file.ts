import type { EngineApi } from '../engine/dispatch';

/** The engine API with the log file added to `health` (additive `log_file` field, shown in the UI's About). */
export function withLogFile(api: EngineApi, logFile: string | null): EngineApi {
  return {
    subscribe: (listener) => api.subscribe(listener),
    // Health is never among the JSON-served reads, so those pass through unchanged.
    invokeJson: (name, input) => api.invokeJson?.(name, input) ?? null,
    invoke: (async (name: string, input: unknown) => {
      const out = await api.invoke(name as never, input);
      return name === 'health' ? { ...(out as object), log_file: logFile } : out;
    }) as EngineApi['invoke'],
  };
}
