// The e2e tests need the built renderer; build it once if out/renderer is missing (npm test builds it anyway).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const RENDERER_DIR = join(process.cwd(), 'out', 'renderer');

export function ensureRendererBuilt(): string {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    execFileSync(process.execPath, [join(process.cwd(), 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'src-renderer/vite.config.ts'], {
      stdio: 'inherit',
    });
  }
  return RENDERER_DIR;
}
