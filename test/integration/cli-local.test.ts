// The `scripthut` command end to end: real `serve` processes on temp data folders, real local jobs, kill -9.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src-main/cli/commands';
import { cli, cliJson, ensureCliBuilt, makeSandbox, REPO, serve, stopAll, stopServe, type CliSandbox, type ServeProcess } from '../helpers/cli';

const DEMO = path.join(REPO, 'resources', 'demo', 'demo-workflow.json');
const sandboxes: CliSandbox[] = [];
const serving: ServeProcess[] = [];

function sandbox(): CliSandbox {
  const sb = makeSandbox();
  sandboxes.push(sb);
  return sb;
}
async function start(sb: CliSandbox): Promise<ServeProcess> {
  const s = await serve(sb);
  serving.push(s);
  return s;
}

beforeAll(() => ensureCliBuilt(), 180_000);
afterAll(async () => {
  for (const s of serving) await stopServe(s).catch(() => undefined);
  stopAll();
  for (const sb of sandboxes) fs.rmSync(sb.root, { recursive: true, force: true });
});

interface RunView {
  id: string;
  status: string;
  task_count: number;
  status_counts: Record<string, number>;
  items: Array<Record<string, unknown> & { id: string; status: string; finished_at: string | null; job_id: string | null }>;
}

/** A workflow whose every task appends its id to `ledger`, so a test can count how often each one ran. */
function ledgerWorkflow(sb: CliSandbox, name: string, tasks: Array<{ id: string; deps?: string[]; sleep?: number }>): { file: string; ledger: string } {
  const ledger = path.join(sb.root, `${name}.ledger`);
  const doc = {
    title: name,
    tasks: tasks.map((t) => ({
      id: t.id,
      name: t.id,
      command: `${t.sleep ? `sleep ${t.sleep}; ` : ''}echo ${t.id} >> ${ledger}`,
      deps: t.deps ?? [],
      memory: '10M',
      time_limit: '0:05:00',
      working_dir: sb.root,
    })),
  };
  const file = path.join(sb.root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(doc));
  return { file, ledger };
}

function ledgerCounts(ledger: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of fs.readFileSync(ledger, 'utf8').split('\n').filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

async function startWorkflow(sb: CliSandbox, file: string, extra: string[] = []): Promise<string> {
  const r = await cliJson<{ id: string }>(sb, ['workflow', 'run', file, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r.body.id;
}

async function watch(sb: CliSandbox, id: string): Promise<number | null> {
  return (await cli(sb, ['run', 'watch', id, '--exit-status', '--interval', '1'], 120_000)).code;
}

async function view(sb: CliSandbox, id: string): Promise<RunView> {
  const r = await cliJson<RunView>(sb, ['run', 'view', id]);
  expect(r.code, r.stderr).toBe(0);
  return r.body;
}

async function waitUntil(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('scripthut serve + workflow run + run watch', () => {
  it('runs the demo on an empty data folder; run view --json has the documented fields', async () => {
    const sb = sandbox();
    await start(sb);
    const id = await startWorkflow(sb, DEMO, ['--backend', 'local']);
    expect(await watch(sb, id)).toBe(0);
    const run = await view(sb, id);
    for (const k of ['id', 'workflow_name', 'backend_name', 'created_at', 'status', 'task_count', 'status_counts']) expect(run).toHaveProperty(k);
    expect(run).toMatchObject({ id, status: 'completed', backend_name: 'local', workflow_name: 'demo-workflow', task_count: 6 });
    expect(run.status_counts).toEqual({ completed: 6 });
    for (const t of run.items) {
      for (const k of ['id', 'name', 'status', 'job_id', 'exit_code', 'error', 'submitted_at', 'started_at', 'finished_at']) expect(t).toHaveProperty(k);
      expect(t).toMatchObject({ status: 'completed', exit_code: 0, error: null });
      expect(t.job_id).toBeTruthy();
      expect(t.finished_at).toBeTruthy();
    }
    expect(run.items.map((t) => t.id)).toEqual(['prepare', 'analyze-1', 'analyze-2', 'analyze-3', 'combine', 'summary']);
    // The demo promises "a markdown summary": it must be the run's summary (run page card, `run summary`), not only a task tab.
    const summary = await cliJson<{ markdown: string | null }>(sb, ['run', 'summary', id]);
    expect(summary.body.markdown).toMatch(/# Demo run summary[\s\S]*\| 3 \| 2000 \|/);
  });

  it('a second serve on the same data folder exits non-zero naming the owner pid', async () => {
    const sb = sandbox();
    const first = await start(sb);
    const second = await cli(sb, ['serve', '--port', '0']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`pid ${first.pid}`);
    // The first one is unharmed.
    expect((await cliJson(sb, ['status'])).code).toBe(0);
  });
});

describe('an engine killed with kill -9', () => {
  it('while a run is going: a new serve finishes it, every task ran exactly once, history intact', async () => {
    const sb = sandbox();
    let engine = await start(sb);
    const earlier = ledgerWorkflow(sb, 'earlier', [{ id: 'only' }]);
    const earlierId = await startWorkflow(sb, earlier.file);
    expect(await watch(sb, earlierId)).toBe(0);
    const before = await view(sb, earlierId);

    const ids = ['prepare', 'analyze-1', 'analyze-2', 'analyze-3', 'combine', 'summary'];
    const wf = ledgerWorkflow(sb, 'crash', [
      { id: 'prepare', sleep: 0.3 },
      { id: 'analyze-1', deps: ['prepare'], sleep: 1.5 },
      { id: 'analyze-2', deps: ['prepare'], sleep: 2 },
      { id: 'analyze-3', deps: ['prepare'], sleep: 2.5 },
      { id: 'combine', deps: ['analyze-*'], sleep: 0.5 },
      { id: 'summary', deps: ['combine'] },
    ]);
    const id = await startWorkflow(sb, wf.file);
    // Kill while the analyses run: prepare is done, the rest is in flight or pending.
    await waitUntil(() => fs.existsSync(wf.ledger) && fs.readFileSync(wf.ledger, 'utf8').includes('prepare'), 'prepare to finish');
    await stopServe(engine, 'SIGKILL');

    engine = await start(sb);
    expect(await watch(sb, id)).toBe(0);
    const run = await view(sb, id);
    expect(run.status).toBe('completed');
    expect(run.items.every((t) => t.status === 'completed')).toBe(true);
    expect(Object.fromEntries(ledgerCounts(wf.ledger))).toEqual(Object.fromEntries(ids.map((x) => [x, 1])));
    for (const t of ids) {
      const log = await cliJson<{ content: string; complete: boolean }>(sb, ['run', 'logs', id, t]);
      expect(log.body.content).toContain(`Task ID: ${t}`);
      expect(log.body.complete).toBe(true);
    }
    // The run from before the crash is untouched.
    const list = await cliJson<{ runs: Array<{ id: string }> }>(sb, ['run', 'list']);
    expect(list.body.runs.map((r) => r.id).sort()).toEqual([earlierId, id].sort());
    expect(await view(sb, earlierId)).toEqual(before);
    await stopServe(engine);
  });

  // A job whose spool folder was created but whose supervisor was never spawned (engine killed in between) shows
  // as "supervisor starting" and then fails as never started after the local backend's 60 s start grace.
  it('in the middle of submitting 200 tasks: after a restart every task ran exactly once', { timeout: 180_000 }, async () => {
    const sb = sandbox();
    sb.writeConfig('backends:\n  - {name: local, type: local, max_concurrent: 200}\nsettings:\n  local_poll_interval_ms: 100\n');
    let engine = await start(sb);
    const ids = Array.from({ length: 200 }, (_, i) => `t${String(i).padStart(3, '0')}`);
    const wf = ledgerWorkflow(sb, 'many', ids.map((id) => ({ id })));
    const spool = path.join(sb.dataDir, 'local-jobs', 'local');
    const id = await startWorkflow(sb, wf.file);
    const submitted = () => (fs.existsSync(spool) ? fs.readdirSync(spool).length : 0);
    await waitUntil(() => submitted() >= 20, 'some jobs to be submitted');
    await stopServe(engine, 'SIGKILL');
    const atKill = submitted();

    engine = await start(sb);
    const code = await watch(sb, id);
    const after = await view(sb, id);
    const unfinished = after.items.filter((t) => t.status !== 'completed').map((t) => `${t.id}: ${t.status} ${t.error ?? (t as { pending_reason?: string }).pending_reason ?? ''}`);
    expect(code, `killed after ${atKill} spool folders; unfinished: ${unfinished.join('; ')}`).toBe(0);
    const counts = ledgerCounts(wf.ledger);
    expect(counts.size).toBe(200);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual(ids);
    const run = await view(sb, id);
    expect(run.status_counts).toEqual({ completed: 200 });
    // The kill really landed mid-submission (otherwise this test proves nothing about recovery).
    expect(atKill).toBeLessThan(200);
    await stopServe(engine);
  });
});

describe('a broken config', () => {
  it.each([
    { name: 'a wrong type', yaml: 'backends:\n  - name: mine\n    type: local\n    max_concurrent: ten\n', path: 'backends[0]' },
    { name: 'an unknown backend type', yaml: 'backends:\n  - name: kube\n    type: kubernetes\n', path: 'backends[0]' },
  ])('$name: status shows the located error and the demo still runs on the embedded local backend', async ({ yaml, path: where }) => {
    const sb = sandbox();
    sb.writeConfig(yaml);
    const engine = await start(sb);
    const status = await cliJson<{ config_loaded: boolean; config_error: { file: string; message: string; issues: Array<{ path: string; message: string }> } | null }>(sb, ['status']);
    expect(status.code).not.toBe(0);
    expect(status.body.config_loaded).toBe(false);
    expect(status.body.config_error?.file).toBe(path.join(sb.configDir, 'scripthut', 'scripthut.yaml'));
    expect(status.body.config_error?.issues.some((i) => i.path.startsWith(where))).toBe(true);
    expect(status.body.config_error?.message).toContain(where);
    const id = await startWorkflow(sb, DEMO, ['--backend', 'local']);
    expect(await watch(sb, id)).toBe(0);
    await stopServe(engine);
  });
});

describe('config show / config apply', () => {
  it('shows the config in effect, refuses a file with problems (located), applies a good one without a restart', async () => {
    const sb = sandbox();
    const engine = await start(sb);
    const shown = await cliJson<{ file: string | null; defaults_reason: string | null; target: string }>(sb, ['config', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.body.file).toBeNull();
    expect(shown.body.defaults_reason).toContain('no configuration file was found');
    // The embedded default is shown, not an empty document: the backend in effect and where a file would go.
    expect(shown.body).toMatchObject({ embedded_default: true });
    expect((shown.body as unknown as { effective_text: string }).effective_text).toContain('  - name: local\n    type: local\n');
    const human = await cli(sb, ['config', 'show']);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain('embedded default is in use because no configuration file was found');
    expect(human.stderr).toContain(shown.body.target);
    expect(human.stdout).toContain('type: local');
    // backend info works on the embedded default's local backend: this machine as one partition.
    const info = await cliJson<{ backend: string; partitions: Array<{ name: string; cpus_total: number; nodes: number; time_limit: string | null }> }>(sb, ['backend', 'info', 'local']);
    expect(info.code, info.stderr).toBe(0);
    expect(info.body.partitions).toEqual([expect.objectContaining({ name: 'local', nodes: 1, time_limit: null })]);
    expect(info.body.partitions[0]!.cpus_total).toBeGreaterThan(0);
    const infoText = await cli(sb, ['backend', 'info', 'local']);
    expect(infoText.code).toBe(0);
    expect(infoText.stdout).toContain('PARTITION');
    const bad = path.join(sb.root, 'bad.yaml');
    fs.writeFileSync(bad, 'backends:\n  - name: two\n    type: local\n    max_concurrent: ten\n');
    const refused = await cli(sb, ['config', 'apply', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}:4: error: backends[0] ('two').max_concurrent`);
    const good = path.join(sb.root, 'good.yaml');
    fs.writeFileSync(good, 'backends:\n  - {name: local, type: local}\n  - {name: two, type: local, max_concurrent: 2}\n');
    const dry = await cli(sb, ['config', 'apply', good, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would be saved');
    const ok = await cli(sb, ['config', 'apply', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('added two');
    const status = await cliJson<{ pid: number; backends: Array<{ name: string }>; config_file: string }>(sb, ['status']);
    expect(status.body.pid).toBe(engine.pid);
    expect(status.body.backends.map((b) => b.name).sort()).toEqual(['local', 'two']);
    expect(status.body.config_file).toBe(path.join(sb.configDir, 'scripthut', 'scripthut.yaml'));
    const text = await cli(sb, ['config', 'show']);
    expect(text.stdout.trim()).toBe(fs.readFileSync(good, 'utf8').trim());
    await stopServe(engine);
  });
});

describe('every command accepts --json', () => {
  it('prints one JSON document for each leaf of the command table', async () => {
    const sb = sandbox();
    // `pricing refresh` must not reach the internet from a test: port 9 (discard) refuses at once.
    sb.env.SCRIPTHUT_PRICE_LIST_URL = 'http://127.0.0.1:9/{region}.json';
    const engine = await start(sb);
    const wf = ledgerWorkflow(sb, 'json', [{ id: 'a' }, { id: 'b', deps: ['a'] }]);
    const runId = await startWorkflow(sb, wf.file);
    expect(await watch(sb, runId)).toBe(0);
    const applied = path.join(sb.root, 'applied.yaml');
    fs.writeFileSync(applied, '# the built-in defaults, written by the --json test\n');
    const placeholder: Record<string, string> = { file: wf.file, id: runId, task: 'a', name: 'local', 'prompts answer id': 'no-such-prompt', answer: 'no', 'task run command?': 'true', 'config apply file': applied, 'run output path': 'task-summary.md' };
    // Commands that may rightly refuse here (nothing to answer; no cluster info on a local backend): their refusal
    // must still be one JSON document with an error code and message.
    // `db restore` refuses while the engine holds the data folder.
    // `stack check|install|delete local`: this config defines no stacks, so the name is refused (not_found).
    // `run output`: the ledger tasks write no output files.
    const mayRefuse = new Set(['backend info', 'prompts answer', 'db restore', 'source view', 'stack check', 'stack install', 'stack delete', 'run output', 'pricing refresh']);
    const seen: string[] = [];
    // `run delete` goes last: every other command still needs the run.
    const ordered = [...COMMANDS.filter((c) => c.path.join(' ') !== 'run delete'), ...COMMANDS.filter((c) => c.path.join(' ') === 'run delete')];
    for (const c of ordered) {
      const name = c.path.join(' ');
      const args = [...c.path, ...c.args.flatMap((a) => {
        const v = placeholder[`${name} ${a}`] ?? placeholder[a];
        if (!v && a.endsWith('?')) return []; // optional argument: leave it out
        if (!v) throw new Error(`no test value for <${a}> of '${name}'; add one to this test`);
        return [v];
      })];
      if (name === 'run watch') args.push('--interval', '1');
      const r = await cliJson<{ error?: { code: string; message: string } }>(sb, args, 120_000);
      if (mayRefuse.has(name) && r.code !== 0) {
        expect(r.body.error?.code, `${args.join(' ')}: ${r.stderr}`).toEqual(expect.any(String));
        expect(r.body.error?.message).toEqual(expect.any(String));
      } else {
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.body).not.toHaveProperty('error');
      }
      seen.push(name);
      // Leave the run finished for the next command (rerun starts it again; delete needs it finished).
      if (c.path.join(' ') === 'run rerun') expect(await watch(sb, runId)).toBe(0);
    }
    expect(seen).toContain('run delete');
    expect(seen.length).toBe(COMMANDS.length);
    await stopServe(engine);
  }, 600_000); // one CLI process per command (~70 leaves); slow on a shared machine
});
