// Drives the real `scripthut` command as child processes on an isolated data folder, config folder and HOME.
// Every process started here is tracked and stopped by pid (`stopAll`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(REPO, 'bin', 'scripthut.mjs');
const BUNDLE = path.join(REPO, 'out', 'main', 'cli.mjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds out/main/cli.mjs when it is missing or older than the sources, so the test exercises current code. */
export function ensureCliBuilt(): void {
  const built = fs.existsSync(BUNDLE) ? fs.statSync(BUNDLE).mtimeMs : 0;
  if (built > Math.max(newestSource(path.join(REPO, 'src-main')), newestSource(path.join(REPO, 'src-shared')))) return;
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build-main.mjs')], { cwd: REPO, encoding: 'utf8' });
  // The Electron bundles may fail on someone else's work in progress; only the CLI bundle matters here.
  if (!fs.existsSync(BUNDLE) || fs.statSync(BUNDLE).mtimeMs <= built) {
    throw new Error(`could not build ${BUNDLE} (node scripts/build-main.mjs exited ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

export interface CliSandbox {
  root: string;
  dataDir: string;
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Write ~/.config/scripthut/scripthut.yaml of this sandbox. */
  writeConfig(yaml: string): void;
}

export function makeSandbox(): CliSandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'scripthut-cli-'));
  const dataDir = path.join(root, 'data');
  const configDir = path.join(root, 'config');
  fs.mkdirSync(path.join(configDir, 'scripthut'), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: root, SCRIPTHUT_DATA_DIR: dataDir, XDG_CONFIG_HOME: configDir, NO_COLOR: '1' };
  delete env.NODE_OPTIONS;
  return {
    root,
    dataDir,
    configDir,
    env,
    writeConfig: (yaml) => fs.writeFileSync(path.join(configDir, 'scripthut', 'scripthut.yaml'), yaml),
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();

/** Run one `scripthut …` command to completion. */
export function cli(sb: CliSandbox, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`scripthut ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run a command with --json and parse its stdout (one JSON document). */
export async function cliJson<T = Record<string, unknown>>(sb: CliSandbox, args: string[], timeoutMs?: number): Promise<{ code: number | null; body: T; stderr: string }> {
  const r = await cli(sb, [...args, '--json'], timeoutMs);
  let body: T;
  try {
    body = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`scripthut ${args.join(' ')} --json printed no single JSON document (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { code: r.code, body, stderr: r.stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Start `scripthut serve --port 0 --json` and wait until it listens. */
export function serve(sb: CliSandbox, timeoutMs = 30_000): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--json'], { cwd: REPO, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        r(code ?? (signal ? -1 : null));
      }),
    );
    const timer = setTimeout(() => reject(new Error(`serve did not start within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const info = JSON.parse(line) as { url: string; pid: number };
      resolve({ child, pid: info.pid, url: info.url, exited, stderr: () => stderr });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Stop a serve process by pid: SIGTERM (a clean shutdown) or SIGKILL (a crash). */
export async function stopServe(s: ServeProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  process.kill(s.pid, signal);
  await s.exited;
}

/** Kill every process this helper started that is still running (afterAll safety net). */
export function stopAll(): void {
  for (const c of children) {
    if (c.pid && c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  children.clear();
}
