// The app:// protocol that serves the built renderer to the desktop window.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveRendererFile, serveRendererRequest } from '../../src-main/electron/app-protocol';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scripthut-renderer-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>ScriptHut</title>');
  writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
});

describe('app:// protocol', () => {
  it('serves index.html for the root and for client-side routes, with the strict CSP', async () => {
    for (const url of ['app://scripthut/', 'app://scripthut/index.html', 'app://scripthut/runs/42']) {
      const res = await serveRendererRequest(url, dir);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(await res.text()).toContain('<title>ScriptHut</title>');
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('serves assets with their type and 404s missing ones', async () => {
    const js = await serveRendererRequest('app://scripthut/assets/app.js', dir);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await serveRendererRequest('app://scripthut/assets/nope.js', dir)).status).toBe(404);
  });

  it('never serves files outside the renderer folder or for another host', async () => {
    // The URL parser already folds `..` and `%2e%2e` segments; an encoded slash survives it and must be caught here.
    expect(resolveRendererFile('app://scripthut/..%2f..%2fetc%2fpasswd', dir)).toBeNull();
    expect(resolveRendererFile('app://scripthut/assets/..%2f..%2f..%2fetc%2fpasswd.txt', dir)).toBeNull();
    for (const url of ['app://scripthut/%2e%2e/%2e%2e/etc/passwd', 'app://scripthut/../../etc/hosts.txt']) {
      const file = resolveRendererFile(url, dir);
      expect(file === null || file.startsWith(dir + path.sep), url).toBe(true);
    }
    expect(resolveRendererFile('app://other/index.html', dir)).toBeNull();
    expect(resolveRendererFile('file:///etc/passwd', dir)).toBeNull();
    const outside = await serveRendererRequest('app://scripthut/..%2f..%2f..%2f..%2fetc%2fpasswd', dir);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('root:');
  });

  it('explains how to fix a missing renderer build', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'scripthut-empty-'));
    const res = await serveRendererRequest('app://scripthut/', empty);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build');
  });
});
