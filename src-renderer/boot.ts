// What runs before the app's code, as its own tiny entry (index.html gets it ahead of the app's entry, see
// vite.config.ts): it has almost nothing to fetch or evaluate, so both of these happen at once.
import { startEarlyRead } from './lib/early-read';

// zod probes `Function('')` once its schemas are used, and under our CSP (no 'unsafe-eval') that probe is reported
// as a violation. zod keeps the object it finds here when its chunk is evaluated (the settings page's), so it must
// exist, jitless, before that. This was a blocking classic script at the end of the body, which held up the
// document's parse, and with it every module, until it was fetched.
(globalThis as unknown as { __zod_globalConfig?: { jitless?: boolean } }).__zod_globalConfig ??= {};
(globalThis as unknown as { __zod_globalConfig: { jitless?: boolean } }).__zod_globalConfig.jitless = true;

// The runs page's first read, sent while the app's chunks load (lib/early-read.ts).
startEarlyRead({
  origin: window.location.origin,
  hash: window.location.hash,
  storage: window.sessionStorage,
  ipc: window.scripthut,
  fetch: (url, init) => fetch(url, init),
  now: () => Date.now(),
});
