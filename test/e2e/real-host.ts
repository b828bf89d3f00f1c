// Starts the real headless host (`node bin/scripthut.mjs serve --port 0`) in a throw-away data folder with no
// user configuration, and waits for the engine.json it writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EngineFile {
  pid: number;
  port: number;
  token: string;
  url: string;
  version: string;
}

export interface RealHost {
  engine: EngineFile;
  dataDir: string;
  configHome: string;
  output(): string;
  stop(): Promise<void>;
}

const BIN = join(process.cwd(), 'bin', 'scripthut.mjs');

function readEngineFile(file: string): EngineFile | null {
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as Partial<EngineFile>;
    if (typeof e.pid === 'number' && typeof e.port === 'number' && typeof e.token === 'string' && typeof e.url === 'string' && typeof e.version === 'string') return e as EngineFile;
  } catch {
    /* not written completely yet */
  }
  return null;
}

/** CPU time (user + system) a process has used so far, from /proc; null where there is no /proc. */
function cpuMsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The user configuration file the host reads in `configHome` (its XDG_CONFIG_HOME). */
export function configFileIn(configHome: string): string {
  return join(configHome, 'scripthut', 'scripthut.yaml');
}

/** For startRealHost's `prepare`: writes `yaml` as the user's scripthut.yaml in `configHome`; returns the file. */
export function writeConfig(configHome: string, yaml: string): string {
  const file = configFileIn(configHome);
  mkdirSync(join(configHome, 'scripthut'), { recursive: true });
  writeFileSync(file, yaml);
  return file;
}

/**
 * `prepare` may write files into the config home (e.g. the config, with writeConfig) before the host starts.
 * The host needs about 2.3 s of CPU to start, but with e2e files in parallel on a loaded 2-core machine (load 20)
 * that took 21-29 s of wall time, past the 30 s this used to allow: the default leaves room for that starvation,
 * and a timeout says how much CPU the host got, so a real hang can be told from a starved start.
 */
export async function startRealHost(prepare?: (configHome: string) => void, timeoutMs = 90_000): Promise<RealHost> {
  if (!existsSync(join(process.cwd(), 'out', 'main', 'cli.mjs'))) throw new Error('out/main/cli.mjs is missing: run `npm run build` before the e2e tests');
  const root = mkdtempSync(join(tmpdir(), 'scripthut-e2e-'));
  const dataDir = join(root, 'data');
  const configHome = join(root, 'cfg');
  mkdirSync(configHome, { recursive: true });
  prepare?.(configHome);
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
    env: { ...process.env, SCRIPTHUT_DATA_DIR: dataDir, XDG_CONFIG_HOME: configHome },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));

  const stop = async (): Promise<void> => {
    if (exited === null && child.pid) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      process.kill(child.pid, 'SIGTERM');
      const t = setTimeout(() => exited === null && child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(root, { recursive: true, force: true });
  };

  const file = join(dataDir, 'engine.json');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const engine = readEngineFile(file);
    if (engine) return { engine, dataDir, configHome, output: () => out, stop };
    if (exited !== null) {
      await stop();
      throw new Error(`scripthut serve exited with code ${exited} before writing ${file}:\n${out}`);
    }
    if (Date.now() > deadline) {
      const cpu = cpuMsOf(child.pid);
      await stop();
      throw new Error(`scripthut serve did not write ${file} within ${timeoutMs} ms${cpu === null ? '' : ` (it used ${cpu} ms of CPU meanwhile)`}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** POSTs a call to the host's HTTP API as a signed-in client; a non-2xx answer throws with its status and text. */
export async function postApi(host: RealHost, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`http://127.0.0.1:${host.engine.port}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.engine.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}
