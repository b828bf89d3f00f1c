// config.get / config.save: the settings editor's calls. Save validates with the loader's own code, refuses to
// drop a backend that still has active runs, writes the file atomically, then applies it in place: backends
// whose section changed are rebuilt through the registry, the others (and their in-flight runs) are untouched.
import fs from 'node:fs';
import { ApiError } from '../../src-shared/api/contract';
import type { ConfigDocument, ConfigSaveResult } from '../../src-shared/api/config-schemas';
import { checkConfigText } from '../../src-shared/config';
import { readConfigText } from '../config/load';
import { writeConfigAtomically } from '../config/save-file';
import type { Backend } from '../backends/types';
import { backendSpecs, planBackends, sectionsNeedingRestart, type BackendPlan } from './backend-plan';
import type { EngineParts } from './parts';

export interface BackendSwap {
  /** Replace the engine's backends as planned; `build` makes the new object of an added or changed backend. */
  applyBackends(plan: BackendPlan, build: (name: string) => Backend): Promise<void>;
}

export function configHandlers(p: EngineParts, swap: BackendSwap) {
  // One save at a time: two quick saves must not interleave their backend swaps.
  let saving: Promise<unknown> = Promise.resolve();
  const save = (text: string, dryRun: boolean): Promise<ConfigSaveResult> => {
    const next = saving.then(() => saveConfig(p, swap, text, dryRun));
    saving = next.catch(() => undefined);
    return next;
  };
  return {
    'config.get': (): ConfigDocument => configDocument(p),
    'config.save': (input: { text: string; dry_run?: boolean }): Promise<ConfigSaveResult> => save(input.text, input.dry_run ?? false),
  };
}

function configDocument(p: EngineParts): ConfigDocument {
  const control = p.o.configControl;
  const info = p.o.config;
  const target = info.file ?? control?.target ?? '';
  let text = '';
  let exists = false;
  if (target) {
    exists = fs.existsSync(target);
    try {
      if (exists) text = readConfigText(target);
    } catch {
      // The load error (already in info.error) says why; the editor starts empty.
    }
  }
  const defaultsReason = info.error
    ? `the configuration in ${info.error.file ?? target} has problems (listed below)`
    : info.file
      ? null
      : `no configuration file was found; Save creates ${target || 'one'}`;
  const file = info.error ? null : info.file;
  return {
    file,
    target,
    exists,
    text,
    defaults_reason: defaultsReason,
    config_error: info.error,
    warnings: info.warnings ?? [],
    editable: !!control,
    embedded_default: file === null,
    effective_text: file === null ? embeddedDefaultText([...p.backends.values()], target) : text,
  };
}

/** The embedded default as the YAML a user would write for it: what runs now, and where a file would go. */
export function embeddedDefaultText(backends: ReadonlyArray<Pick<Backend, 'name' | 'kind' | 'maxConcurrent'>>, target: string): string {
  const lines = [
    '# The embedded default: no configuration file is in effect, so ScriptHut runs with this.',
    '# Settings not written here keep their built-in values.',
    '# To change it, edit and save it (Settings page, or `scripthut config apply FILE`); it is written to',
    `#   ${target || 'the config file'}`,
    'backends:',
  ];
  for (const b of backends) lines.push(`  - name: ${b.name}`, `    type: ${b.kind}`, `    max_concurrent: ${b.maxConcurrent}${b.kind === 'local' ? '  # the number of CPUs of this machine' : ''}`);
  return `${lines.join('\n')}\n`;
}

async function saveConfig(p: EngineParts, swap: BackendSwap, text: string, dryRun: boolean): Promise<ConfigSaveResult> {
  const control = p.o.configControl;
  if (!control) throw new ApiError('unavailable', 'This engine was started without a config file it may edit; change the file and restart it.');
  const file = control.target;
  const checked = checkConfigText(text);
  const loaded = control.parse(text);
  const none = { file, applied: null, restart_needed: [] as string[] };
  if (!loaded.ok) {
    const errors = checked.errors.length
      ? checked.errors
      : [{ severity: 'error' as const, path: '', message: loaded.error.message, line: null, col: null, from: 0, to: Math.min(1, text.length) }];
    return { ok: false, saved: false, errors, warnings: checked.warnings, ...none };
  }
  const config = loaded.config;
  const plan = planBackends(backendSpecs(control.current), backendSpecs(config));
  const busy = plan.removed
    .map((name) => ({ name, runs: p.store.activeRuns(name).map((r) => r.id) }))
    .filter((b) => b.runs.length);
  if (busy.length) {
    const what = busy.map((b) => `'${b.name}' (${b.runs.length} active run${b.runs.length === 1 ? '' : 's'}: ${b.runs.slice(0, 5).join(', ')}${b.runs.length > 5 ? ', …' : ''})`).join('; ');
    throw new ApiError('conflict', `The new config removes backend ${what}. Cancel those runs or let them finish, then save again. Nothing was saved.`, { backends: busy });
  }
  const restartNeeded = sectionsNeedingRestart(control.current, config, control.defaults());
  if (dryRun) return { ok: true, saved: false, errors: [], warnings: checked.warnings, file, applied: plan, restart_needed: restartNeeded };
  try {
    writeConfigAtomically(file, text);
  } catch (e) {
    throw new ApiError('internal', `Could not write ${file}: ${(e as Error).message}. The config in effect is unchanged.`);
  }
  await swap.applyBackends(plan, (name) => control.buildBackend(name, config));
  control.current = config;
  p.o.env = control.envResolver(config);
  p.o.config = { file, error: null, warnings: loaded.warningDetails };
  return { ok: true, saved: true, errors: [], warnings: checked.warnings, file, applied: plan, restart_needed: restartNeeded };
}
