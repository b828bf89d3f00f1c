// Must be the first import of the entry. zod probes `new Function` when schemas are built; under our CSP
// (no 'unsafe-eval') that probe is reported as a violation. zod reads this global config object at load time.
const g = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
g.__zod_globalConfig = { ...(g.__zod_globalConfig ?? {}), jitless: true };
export {};
