// A separate entry, loaded before the app's (index.html): it has almost no code to fetch and evaluate, so the runs
// page's first request leaves at once instead of after the app's chunks (see lib/early-read.ts).
import { startEarlyRead } from './lib/early-read';

startEarlyRead({
  origin: window.location.origin,
  hash: window.location.hash,
  storage: window.sessionStorage,
  ipc: window.scripthut,
  fetch: (url, init) => fetch(url, init),
  now: () => Date.now(),
});
