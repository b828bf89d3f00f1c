// Renderer build: a static bundle with no inline scripts and no remote assets (the CSP is `default-src 'self'`).
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// No node: imports here (the renderer folder's lint rules forbid them); Vite resolves outDir against root.
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    // Keep the CSS in a file: inline <style> would need 'unsafe-inline'.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: { host: '127.0.0.1' },
});
