// Renderer build: a static bundle with no inline scripts and no remote assets (the CSP is `default-src 'self'`).
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { calls } from '../src-shared/api/contract';

// No node: imports here (the renderer folder's lint rules forbid them); Vite resolves outDir against root.
const root = import.meta.dirname;

/**
 * The renderer needs only each call's HTTP route (src-shared/api/routes.ts), but importing the contract for it put
 * zod and every call's schemas in the entry chunk: building them was ~¼ of the script run before a cold start's
 * first rows (bench/ui-runs.bench.ts). Here routes.ts gets the contract's routes alone, computed from the contract
 * itself at build time, so there is still one route list; the host and the CLI import the real contract.
 */
function contractRoutesOnly(): Plugin {
  const id = '\0scripthut:contract-routes';
  return {
    name: 'scripthut-contract-routes',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './contract' && importer && /src-shared[\\/]api[\\/]routes\.ts$/.test(importer)) return id;
      return null;
    },
    load(i) {
      if (i !== id) return null;
      const routes = Object.fromEntries(Object.entries(calls).map(([name, c]) => [name, { http: c.http }]));
      return `export const calls = ${JSON.stringify(routes)};`;
    },
  };
}

/**
 * The boot entry (src-renderer/boot.ts: zod's jitless flag and the runs page's early read, lib/early-read.ts) as its
 * own small chunk, run ahead of the app's entry: as a second <script> in index.html Vite would merge it into the
 * app's entry, and it would wait for the whole app to be fetched and parsed again.
 */
function bootScript(): Plugin {
  return {
    name: 'scripthut-boot',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'boot');
        if (!chunk) return html;
        // Before the app's entry and not async: module scripts run in document order, so zod's flag is set and the
        // app's first runs.list finds the early read sent (async, under load the app could run first and read twice).
        const app = html.indexOf('<script type="module"');
        if (app < 0) throw new Error('scripthut-boot: index.html has no module script to put the early read before');
        return `${html.slice(0, app)}<script type="module" crossorigin src="./${chunk.fileName}"></script>\n    ${html.slice(app)}`;
      },
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [contractRoutesOnly(), bootScript(), svelte()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    // Keep the CSS in a file: inline <style> would need 'unsafe-inline'.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: `${root}/index.html`, boot: `${root}/boot.ts` } },
  },
  server: { host: '127.0.0.1' },
});
