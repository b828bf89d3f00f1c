// scripthut:// links → the renderer's hash routes, and the order links are delivered in. Pure (no 'electron'), so
// every case is unit-tested without the binary; deep-link.ts only wires it to Electron's app and window.
//
//   scripthut://run/RUN                        → #/runs/RUN
//   scripthut://run/RUN/task/TASK[/TAB]        → #/runs/RUN/tasks/TASK[/tab slug]   (also …/tasks/…)
//   scripthut://task/RUN/TASK[/TAB]            → the same (the form `scripthut open` prints for a task)
// TAB is a slug of the renderer's router (log, errors, script, env, summary, outputs, history) or a tab name
// (output, error). Anything else is refused with a message saying what was wrong; nothing is navigated.

export const DEEP_LINK_SCHEME = 'scripthut';

/** Ids are engine-made (letters, digits, - _ .); anything else in a link is refused, not passed to the window. */
const ID = /^[A-Za-z0-9._-]{1,200}$/;

/** The renderer's task tab slugs (src-renderer/lib/router.ts TAB_SLUGS), keyed by every spelling a link may use. */
const TAB_SLUG: Record<string, string> = {
  log: 'log',
  output: 'log',
  errors: 'errors',
  error: 'errors',
  script: 'script',
  env: 'env',
  summary: 'summary',
  outputs: 'outputs',
  history: 'history',
};

const SHAPES = `${DEEP_LINK_SCHEME}://run/RUN_ID, ${DEEP_LINK_SCHEME}://run/RUN_ID/task/TASK_ID or ${DEEP_LINK_SCHEME}://run/RUN_ID/task/TASK_ID/TAB`;

export interface DeepLinkTarget {
  runId: string;
  taskId: string | null;
  /** The router's slug of the task tab, when the link names one. */
  tab: string | null;
}

export type DeepLinkParse = { ok: true; target: DeepLinkTarget; hash: string } | { ok: false; message: string };

/** A link shown in a message: cut short, control characters made visible, so a hostile link cannot forge log lines. */
function shown(link: string): string {
  const s = link.length > 120 ? `${link.slice(0, 120)}…` : link;
  return JSON.stringify(s);
}

function refuse(link: string, why: string): DeepLinkParse {
  return { ok: false, message: `Ignored the link ${shown(link)}: ${why}. Links look like ${SHAPES}.` };
}

/** The hash route of a target, in the renderer router's format (formatRoute). */
export function hashOfTarget(t: DeepLinkTarget): string {
  const run = `#/runs/${encodeURIComponent(t.runId)}`;
  if (!t.taskId) return run;
  return `${run}/tasks/${encodeURIComponent(t.taskId)}${t.tab ? `/${t.tab}` : ''}`;
}

export function parseDeepLink(link: string): DeepLinkParse {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return refuse(link, 'it is not a URL');
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:`) return refuse(link, `it is not a ${DEEP_LINK_SCHEME}:// link`);
  if (url.search || url.hash) return refuse(link, 'it has a query or fragment, which ScriptHut links never carry');
  if (url.username || url.password || url.port) return refuse(link, 'it has a user, password or port, which ScriptHut links never carry');
  // scripthut://run/ID parses with host "run" and path "/ID"; scripthut:run/ID has no host. A trailing / is allowed.
  const raw = [url.hostname, ...url.pathname.split('/')].filter(Boolean);
  const parts: string[] = [];
  for (const p of raw) {
    try {
      parts.push(decodeURIComponent(p));
    } catch {
      return refuse(link, `${JSON.stringify(p)} is not valid percent-encoding`);
    }
  }
  const [kind, ...rest] = parts;
  let runId: string | undefined;
  let taskId: string | undefined;
  let tab: string | undefined;
  let extra: string[];
  if (kind === 'run') {
    [runId] = rest;
    if (rest.length > 1 && rest[1] !== 'task' && rest[1] !== 'tasks') return refuse(link, `after the run id comes "task", not ${JSON.stringify(rest[1])}`);
    if (rest.length > 1 && rest.length < 3) return refuse(link, 'it names no task after "task"');
    [, , taskId, tab, ...extra] = rest;
  } else if (kind === 'task') {
    [runId, taskId, tab, ...extra] = rest;
    if (runId !== undefined && taskId === undefined) return refuse(link, 'a task link needs the run id and the task id');
  } else {
    return refuse(link, kind === undefined ? 'it names nothing to open' : `ScriptHut opens runs and tasks, not ${JSON.stringify(kind)}`);
  }
  if (runId === undefined) return refuse(link, 'it has no run id');
  if (!ID.test(runId)) return refuse(link, `${JSON.stringify(runId.slice(0, 60))} is not a run id (letters, digits, '.', '_' and '-' only)`);
  if (taskId !== undefined && !ID.test(taskId)) return refuse(link, `${JSON.stringify(taskId.slice(0, 60))} is not a task id (letters, digits, '.', '_' and '-' only)`);
  let slug: string | null = null;
  if (tab !== undefined) {
    slug = TAB_SLUG[tab] ?? null;
    if (!slug) return refuse(link, `${JSON.stringify(tab.slice(0, 60))} is not a task tab (one of ${[...new Set(Object.values(TAB_SLUG))].join(', ')})`);
  }
  if (extra.length > 0) return refuse(link, `it has more after the ${tab !== undefined ? 'tab' : 'task'} (${JSON.stringify(extra.join('/').slice(0, 60))})`);
  const target: DeepLinkTarget = { runId, taskId: taskId ?? null, tab: slug };
  return { ok: true, target, hash: hashOfTarget(target) };
}

/** The renderer's hash route for a scripthut:// link, or null when it is not one we open. */
export function routeOfDeepLink(link: string): string | null {
  const r = parseDeepLink(link);
  return r.ok ? r.hash : null;
}

/** The first scripthut:// argument of a command line (Windows and Linux pass the link as an argument). */
export function deepLinkInArgv(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}

export interface DeepLinkSink {
  /** Show this route in the window; false when there is no window to show it in (yet, or any more). */
  navigate(hash: string): boolean;
  /** Bring the window to the front. */
  reveal(): void;
  log(message: string): void;
  /** Called after a link was kept because no window exists: the shell opens one if the app is ready (macOS keeps
   * running without windows), and that window starts at the kept route. */
  noWindow?(): void;
}

/**
 * Orders the links the OS delivers. Before there is a window (macOS `open-url` before ready, the link on the first
 * command line), the link is kept and the first window opens at it (`takeInitialHash`); when several come first,
 * the last one wins, as there is one window to show it in. Once a window exists, a link navigates it at once. A
 * second launch without a link just brings the window forward.
 */
export class DeepLinkRouter {
  private pending: string | null = null;

  constructor(private readonly sink: DeepLinkSink) {}

  /** A link from `open-url`, the first command line or a second instance's. Returns the route, or null if refused. */
  receive(link: string): string | null {
    const r = parseDeepLink(link);
    if (!r.ok) {
      this.sink.log(`ScriptHut: ${r.message}`);
      return null;
    }
    if (this.sink.navigate(r.hash)) this.sink.reveal();
    else {
      this.pending = r.hash;
      this.sink.noWindow?.();
    }
    return r.hash;
  }

  /** A second launch (Windows, Linux): its command line may carry a link; either way the window comes forward. */
  secondInstance(argv: readonly string[]): void {
    const link = deepLinkInArgv(argv);
    if (link === null || this.receive(link) === null) this.sink.reveal();
  }

  /** The route the first window opens at (a link that came before it), once; '' for the entry page. */
  takeInitialHash(): string {
    const hash = this.pending ?? '';
    this.pending = null;
    return hash;
  }
}
