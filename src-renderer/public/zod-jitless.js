// A classic script, so it runs before every module chunk (they are deferred): zod probes `Function('')` once its
// schemas are used, and under our CSP (no 'unsafe-eval') that probe is reported as a violation. zod keeps the
// object it finds here at load time, so it must exist, jitless, before zod's chunk is evaluated.
(globalThis.__zod_globalConfig ??= {}).jitless = true;
