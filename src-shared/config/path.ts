// Config locations as users read them: `backends[1].ssh.host`, and `backends[1] ('hpc').ssh.host` when the
// list item has a name (the index alone is hard to find in a long file).

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Top-level lists whose items carry a `name` worth showing next to the index. */
const NAMED_LISTS = new Set(['backends', 'sources', 'stacks']);

/** `backends[1].ssh.host`; keys that are not plain words are quoted: `env_groups["gpu.a100"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Inverse of formatPath (for the loader, which maps paths back to YAML lines). */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z_][A-Za-z0-9_-]*)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path)) !== null) {
    if (m[1] !== undefined) segments.push(Number(m[1]));
    else if (m[2] !== undefined) segments.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) segments.push(m[3]);
    if (re.lastIndex >= path.length) break;
  }
  return segments;
}

export function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Like formatPath, plus the item's name for named lists: `backends[0] ('hpc').max_concurrent`. */
export function displayPath(segments: readonly PathSegment[], root: unknown): string {
  let out = '';
  segments.forEach((seg, i) => {
    // formatPath(['x', seg]) renders seg as it would appear after a parent: `.key`, `[0]` or `["a.b"]`.
    out += i === 0 ? formatPath([seg]) : formatPath(['x', seg]).slice(1);
    if (i === 1 && typeof seg === 'number' && NAMED_LISTS.has(String(segments[0]))) {
      const name = valueAt(root, [segments[0] as string, seg, 'name']);
      if (typeof name === 'string' && name.trim()) out += ` ('${name}')`;
    }
  });
  return out;
}
