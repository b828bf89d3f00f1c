import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configCandidates, loadConfig } from '../../src-main/config/load';
import { defaultConfigPath } from '../../src-main/platform/paths';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** A HOME with a user config, a project folder, and a config file for each lookup step. */
function world() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-lookup-'));
  roots.push(root);
  const home = path.join(root, 'home');
  const xdg = path.join(home, '.config');
  const project = path.join(root, 'project');
  const write = (file: string, name: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `backends:\n  - name: ${name}\n    type: local\n`);
    return file;
  };
  fs.mkdirSync(project, { recursive: true });
  const env = { HOME: home, XDG_CONFIG_HOME: xdg };
  return { root, home, project, env, write, user: path.join(xdg, 'scripthut', 'scripthut.yaml') };
}

const backendName = (r: ReturnType<typeof loadConfig>) => {
  if (!r.ok) throw new Error(r.error.message);
  return r.config.backends[0]!.name;
};

describe('config lookup order', () => {
  it('--config, then $SCRIPTHUT_CONFIG, then ./scripthut.yaml, then the user config, then ~/.scripthut.yaml', () => {
    const w = world();
    w.write(path.join(w.home, '.scripthut.yaml'), 'dotfile');
    expect(backendName(loadConfig({ env: w.env, cwd: w.project }))).toBe('dotfile');
    w.write(w.user, 'user');
    expect(backendName(loadConfig({ env: w.env, cwd: w.project }))).toBe('user');
    w.write(path.join(w.project, 'scripthut.yml'), 'project_yml');
    expect(backendName(loadConfig({ env: w.env, cwd: w.project }))).toBe('project_yml');
    w.write(path.join(w.project, 'scripthut.yaml'), 'project');
    expect(backendName(loadConfig({ env: w.env, cwd: w.project }))).toBe('project');
    const fromEnv = w.write(path.join(w.root, 'elsewhere', 'env.yaml'), 'from_env');
    const env = { ...w.env, SCRIPTHUT_CONFIG: fromEnv };
    expect(backendName(loadConfig({ env, cwd: w.project }))).toBe('from_env');
    const flag = w.write(path.join(w.root, 'flag.yaml'), 'flag');
    expect(backendName(loadConfig({ env, cwd: w.project, configPath: flag }))).toBe('flag');
    const loaded = loadConfig({ env, cwd: w.project, configPath: 'flag.yaml' });
    expect(loaded.ok).toBe(false); // relative --config resolves against cwd (the project folder), where it is not
  });

  it('a $SCRIPTHUT_CONFIG naming a missing file is an error, not a silent fall-through', () => {
    const w = world();
    w.write(w.user, 'user');
    const r = loadConfig({ env: { ...w.env, SCRIPTHUT_CONFIG: 'nope.yaml' }, cwd: w.project });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe(`Config file not found: ${path.join(w.project, 'nope.yaml')} (named by $SCRIPTHUT_CONFIG). Check the path, or leave it out to use ${w.user}.`);
  });

  it("uses Windows' %APPDATA%\\ScriptHut folder", () => {
    expect(defaultConfigPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe(path.join('C:\\Users\\u\\AppData\\Roaming', 'ScriptHut', 'scripthut.yaml'));
    expect(configCandidates({ HOME: '/h', APPDATA: '/appdata' }, '/p', 'win32').map((c) => c.file)).toEqual([
      path.resolve('/p', 'scripthut.yaml'),
      path.resolve('/p', 'scripthut.yml'),
      path.join('/appdata', 'ScriptHut', 'scripthut.yaml'),
      path.join('/h', '.scripthut.yaml'),
    ]);
  });
});
