// Where the built read worker (out/main/read-worker.cjs, scripts/build-main.mjs) is, seen from the bundle that
// starts it. Pure over `exists`, so the packaged layout (inside app.asar) is tested without Electron.
//
// In the packaged app the worker stays inside app.asar, on purpose: Electron sets up asar support in worker
// threads (electron/electron#33216, Electron 19+), and the worker requires `zod` from the archive's node_modules,
// which a copy unpacked to app.asar.unpacked could not resolve. better-sqlite3, the one native part, is unpacked
// (electron-builder.yml asarUnpack) and found by Electron's asar redirection as in the main thread.
import path from 'node:path';

export const READ_WORKER_FILE = 'read-worker.cjs';

/**
 * The worker file for code running from `moduleFile`: bundles live in out/main (the CLI, with its chunks in
 * out/main/chunks), out/electron (the desktop main) or a sibling bundle folder (out/bench); null when not built.
 */
export function findReadWorkerFile(moduleFile: string, exists: (file: string) => boolean): string | null {
  const dir = path.dirname(moduleFile);
  for (const candidate of [dir, path.join(dir, '..'), path.join(dir, '..', 'main')]) {
    const file = path.join(candidate, READ_WORKER_FILE);
    if (exists(file)) return file;
  }
  return null;
}
