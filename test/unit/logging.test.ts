import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from '../../src-main/logging/rotating-file';
import { createFileLogger, installConsoleSink } from '../../src-main/logging/logger';
import { logDirFor, platformLogDir } from '../../src-main/logging/log-dir';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-log-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('RotatingFile', () => {
  it('rotates by size and keeps only the newest N old files', () => {
    const dir = tmp();
    const f = new RotatingFile(path.join(dir, 'scripthut.log'), { maxBytes: 100, keep: 2 });
    for (let i = 0; i < 10; i++) f.write(`${String(i).repeat(59)}\n`); // 60 bytes: one line per file
    f.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['scripthut.1.log', 'scripthut.2.log', 'scripthut.log']);
    expect(fs.readFileSync(path.join(dir, 'scripthut.log'), 'utf8')).toMatch(/^9+\n$/);
    expect(fs.readFileSync(path.join(dir, 'scripthut.1.log'), 'utf8')).toMatch(/^8+\n$/);
    expect(fs.readFileSync(path.join(dir, 'scripthut.2.log'), 'utf8')).toMatch(/^7+\n$/);
  });

  it('appends to an existing file and counts its size', () => {
    const dir = tmp();
    const file = path.join(dir, 'scripthut.log');
    fs.writeFileSync(file, 'x'.repeat(90));
    const f = new RotatingFile(file, { maxBytes: 100, keep: 1 });
    f.write('y'.repeat(20));
    f.close();
    expect(fs.readFileSync(path.join(dir, 'scripthut.1.log'), 'utf8')).toBe('x'.repeat(90));
    expect(fs.readFileSync(file, 'utf8')).toBe('y'.repeat(20));
  });
});

describe('console sink', () => {
  it('copies console.error lines (formatted) into the JSON log file', () => {
    const dir = tmp();
    const log = createFileLogger(dir);
    const restore = installConsoleSink(log.logger);
    try {
      console.error('backend %s failed:', 'hpc', new Error('boom'));
      console.warn('careful');
    } finally {
      restore();
    }
    log.close();
    const lines = fs.readFileSync(log.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines[0]!.level).toBe(50);
    expect(lines[0]!.msg).toContain('backend hpc failed: Error: boom');
    expect(lines[1]).toMatchObject({ level: 40, msg: 'careful' });
    // restored: later console lines do not reach the closed file
    console.info('after restore');
    expect(fs.readFileSync(log.file, 'utf8')).not.toContain('after restore');
  });
});

describe('log folder', () => {
  const home = '/home/u';
  it('uses the platform log folder for the default data folder', () => {
    const env = { HOME: home };
    expect(platformLogDir(env, 'linux')).toBe('/home/u/.local/state/scripthut/logs');
    expect(platformLogDir({ ...env, XDG_STATE_HOME: '/s' }, 'linux')).toBe('/s/scripthut/logs');
    expect(platformLogDir(env, 'darwin')).toBe('/home/u/Library/Logs/ScriptHut');
    expect(platformLogDir({ ...env, LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toContain(path.join('ScriptHut', 'logs'));
  });

  it('keeps logs inside an explicit data folder, and SCRIPTHUT_LOG_DIR wins', () => {
    expect(logDirFor('/tmp/other-data', { HOME: home })).toBe(path.join('/tmp/other-data', 'logs'));
    expect(logDirFor('/tmp/other-data', { HOME: home, SCRIPTHUT_LOG_DIR: '/var/log/sh' })).toBe('/var/log/sh');
  });
});
