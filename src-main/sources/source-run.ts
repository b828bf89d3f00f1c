// From "source X, workflow Y (branch Z) on backend B" to a validated document whose working dirs point into the
// run's checkout, plus the source fields the run records. Shared by real runs and dry runs; a dry run never
// creates a checkout and turns overlay problems into warnings instead of failing.
import { ApiError } from '../../src-shared/api/contract';
import type { WorkflowDocument } from '../../src-shared/workflow/types';
import type { Backend } from '../backends/types';
import { validateWorkflowInput } from '../engine/run-factory';
import { ensureLocalCheckout, expandHome, resolveWorkingDir } from './checkout';
import type { SourceManager } from './manager';
import { applyOverlay, parseOverlay } from './overlay';
import { parseOverlayStacks, readStackInputs } from '../stacks/overlay-stacks';
import path from 'node:path';
import fs from 'node:fs';
import { remoteCheckoutDir, remoteCheckoutScript } from './remote-checkout';

export interface SourceRunRequest {
  name: string;
  workflow: string;
  branch?: string;
}

export interface PreparedSourceRun {
  doc: WorkflowDocument;
  workflowName: string;
  source: { name: string; repo: string | null; branch: string | null; commit: string | null; file: string };
  root: string;
  warnings: string[];
}

export interface SourceRunDeps {
  manager: SourceManager;
  /** The configured clone_dir of a backend (null when the backend has none). */
  cloneDirOf(backend: string): string | null;
  /** The configured limit on tasks per run (settings.max_tasks_per_run), as for a run from a file. */
  maxTasks: number;
}

export async function prepareSourceRun(deps: SourceRunDeps, req: SourceRunRequest, b: Backend, dryRun: boolean): Promise<PreparedSourceRun> {
  const wf = await deps.manager.workflow(req.name, req.workflow, req.branch);
  // The workflow's own warnings (unknown task fields) come first and are kept with the run, as for a file.
  const validated = validateWorkflowInput({ text: wf.text }, deps.maxTasks);
  const warnings: string[] = [...validated.warnings];
  let doc = validated.doc;
  if (wf.overlay_text !== null) {
    try {
      const label = `${wf.source}: scripthut.yaml`;
      const overlay = parseOverlay(wf.overlay_text, label);
      // Stacks with input files get STACK_DIR too: their files are read from the repository at this commit.
      const inputs = overlay.stacks.length ? await readStackInputs(parseOverlayStacks(overlay.stacks, label), deps.manager.workflowFileReader(wf)) : null;
      doc = applyOverlay(doc, overlay, label, inputs);
    } catch (err) {
      if (!dryRun) throw new ApiError('bad_input', `${(err as Error).message} Nothing was submitted.`);
      warnings.push(`${(err as Error).message} (a run would fail)`);
    }
  }
  let root: string;
  if (wf.type === 'path') {
    const holder = deps.manager.folderBackend(wf.source);
    // The jobs read the folder where it is: on its own backend, or on any local backend when that one is local.
    const sameMachine = holder !== null && (b.name === holder.name || (b.kind === 'local' && holder.kind === 'local'));
    if (wf.root === null || !sameMachine) {
      throw new ApiError('bad_input', `Path source '${wf.source}' can only run on the backend that holds its folder ('${holder?.name ?? '?'}'); '${b.name}' is a ${b.kind} backend.`);
    }
    root = wf.root;
  } else {
    const commit = wf.commit as string;
    const cloneDir = deps.cloneDirOf(b.name);
    if (b.kind !== 'local' && cloneDir && b.runScript) {
      root = remoteCheckoutDir(cloneDir, commit);
      if (!dryRun) root = await checkoutOnBackend(deps, wf.source, b, cloneDir, commit, wf.branch as string);
    } else if (b.kind !== 'local' || !cloneDir) {
      const msg = `Backend '${b.name}' (${b.kind}) has no clone_dir or cannot run commands, so git sources cannot be checked out there.`;
      if (!dryRun) throw new ApiError('unavailable', msg);
      warnings.push(msg);
      root = `${cloneDir ?? '~/scripthut-repos'}/${commit.slice(0, 12)}`;
    } else if (dryRun) {
      root = path.join(expandHome(cloneDir), commit.slice(0, 12));
    } else {
      const cfg = deps.manager.config(wf.source);
      const postclone = cfg.type === 'git' ? cfg.postclone : null;
      try {
        root = (await ensureLocalCheckout({ cacheDir: deps.manager.cacheDirOf(wf.source), knownHostsFile: path.join(deps.manager.cacheDirOf(wf.source), '..', 'known_hosts'), cloneDir, commit, postclone })).dir;
      } catch (err) {
        throw new ApiError('bad_input', `Source '${wf.source}': the checkout of ${commit.slice(0, 12)} on '${b.name}' failed, so no run was started: ${(err as Error).message}`);
      }
    }
  }
  doc = { ...doc, tasks: doc.tasks.map((t) => ({ ...t, working_dir: resolveWorkingDir(root, t.working_dir) })) };
  return {
    doc,
    workflowName: wf.workflow_name,
    source: { name: wf.source, repo: wf.repo, branch: wf.branch, commit: wf.commit, file: wf.file },
    root,
    warnings,
  };
}

async function checkoutOnBackend(deps: SourceRunDeps, source: string, b: Backend, cloneDir: string, commit: string, branch: string): Promise<string> {
  const cfg = deps.manager.config(source);
  if (cfg.type !== 'git') throw new Error('not a git source');
  let key: string | null = null;
  if (cfg.deploy_key) {
    try {
      key = fs.readFileSync(cfg.deploy_key, 'utf8');
    } catch (err) {
      throw new ApiError('bad_input', `Source '${source}': cannot read deploy_key '${cfg.deploy_key}': ${(err as Error).message}`);
    }
  }
  const script = remoteCheckoutScript({ cloneDir, url: cfg.url, branch, commit, postclone: cfg.postclone, deployKey: key });
  const res = await b.runScript!(script, { stdin: key ?? undefined });
  if (res.exitCode !== 0) {
    const why = res.stderr.trim().split('\n').slice(-3).join(' | ') || `exit ${res.exitCode}`;
    throw new ApiError('bad_input', `Source '${source}': the checkout of ${commit.slice(0, 12)} on '${b.name}' failed, so no run was started: ${why}`);
  }
  return res.stdout.trim().split('\n').pop() || remoteCheckoutDir(cloneDir, commit);
}
