// Electron entry point (bundled to out/electron/main.cjs by scripts/build-main.mjs).
import path from 'node:path';
import { startEngine } from '../engine/start';
import { makeShellBackendFactory } from '../engine/ssh-wiring';
import { configPathFromArgv, startDesktop } from './desktop';

// In the bundle this file is out/electron/main.cjs: the preload sits beside it, the renderer in ../renderer,
// and resources/ (icon, demo workflow) at the app root, inside app.asar once packaged.
const outDir = path.resolve(__dirname, '..');
const appRoot = path.resolve(outDir, '..');
const resourcesDir = path.join(appRoot, 'resources');

startDesktop({
  startEngine: (opts) => startEngine({ ...opts, resourcesDir, makeShellBackend: makeShellBackendFactory }),
  preloadPath: path.join(outDir, 'electron', 'preload.cjs'),
  rendererDir: path.join(outDir, 'renderer'),
  iconPath: path.join(resourcesDir, 'icon.png'),
  configPath: configPathFromArgv(process.argv),
}).catch((err: unknown) => {
  console.error('ScriptHut Desktop failed to start:', err);
  process.exit(1);
});
