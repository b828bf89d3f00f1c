// A tiny ANSI SGR reader for task logs: colours, bold, dim, italic, underline, inverse; every other escape
// sequence (cursor moves, erase line, OSC titles) is dropped. Output is plain segments the view turns into
// spans — never HTML, so log text cannot inject markup.

export interface SgrState {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  inverse: boolean;
}

export interface Segment {
  text: string;
  /** CSS classes: ansi-fg-N / ansi-bg-N for the 16 palette colours, ansi-bold… */
  cls: string;
  /** Inline colour for 256-colour and true-colour codes. */
  style: string;
}

export const PLAIN: SgrState = Object.freeze({ fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false });

export function isPlain(s: SgrState): boolean {
  return !s.fg && !s.bg && !s.bold && !s.dim && !s.italic && !s.underline && !s.inverse;
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[([0-9;:]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78DEHMc]/g;

const CUBE = [0, 95, 135, 175, 215, 255];

function color256(n: number): string {
  if (n < 16) return `p${n}`;
  if (n < 232) {
    const i = n - 16;
    return `rgb(${CUBE[Math.floor(i / 36)]},${CUBE[Math.floor(i / 6) % 6]},${CUBE[i % 6]})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

/** Apply one SGR parameter list ("1;31", "38;5;208", "") to a state. */
export function applySgr(state: SgrState, params: string): SgrState {
  // Reset is most of what logs write (after every coloured word): answer it without allocating.
  if (params === '' || params === '0') return PLAIN;
  // A literal copy, not a spread: this runs for every escape of a followed log (thousands a second).
  const s: SgrState = { fg: state.fg, bg: state.bg, bold: state.bold, dim: state.dim, italic: state.italic, underline: state.underline, inverse: state.inverse };
  const codes = params.includes(';') || params.includes(':') ? params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p))) : [Number(params)];
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? 0;
    if (c === 0) {
      s.fg = s.bg = null;
      s.bold = s.dim = s.italic = s.underline = s.inverse = false;
    } else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 7) s.inverse = true;
    else if (c === 22) s.bold = s.dim = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c === 27) s.inverse = false;
    else if (c >= 30 && c <= 37) s.fg = `p${c - 30}`;
    else if (c >= 90 && c <= 97) s.fg = `p${c - 90 + 8}`;
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = `p${c - 40}`;
    else if (c >= 100 && c <= 107) s.bg = `p${c - 100 + 8}`;
    else if (c === 49) s.bg = null;
    else if (c === 38 || c === 48) {
      let value: string | null = null;
      if (codes[i + 1] === 5 && codes[i + 2] !== undefined) {
        value = color256(Math.min(255, Math.max(0, codes[i + 2] ?? 0)));
        i += 2;
      } else if (codes[i + 1] === 2 && codes[i + 4] !== undefined) {
        value = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
        i += 4;
      } else break;
      if (c === 38) s.fg = value;
      else s.bg = value;
    }
  }
  return s;
}

function describe(s: SgrState): { cls: string; style: string } {
  const fg = s.inverse ? s.bg : s.fg;
  const bg = s.inverse ? (s.fg ?? 'inv') : s.bg;
  const cls: string[] = [];
  const style: string[] = [];
  for (const [kind, v] of [['fg', fg], ['bg', bg]] as const) {
    if (!v) continue;
    if (v === 'inv') cls.push('ansi-bg-inv');
    else if (v.startsWith('p')) cls.push(`ansi-${kind}-${v.slice(1)}`);
    else style.push(`${kind === 'fg' ? 'color' : 'background-color'}:${v}`);
  }
  if (s.inverse && !s.bg) cls.push('ansi-fg-inv');
  if (s.bold) cls.push('ansi-bold');
  if (s.dim) cls.push('ansi-dim');
  if (s.italic) cls.push('ansi-italic');
  if (s.underline) cls.push('ansi-underline');
  return { cls: cls.join(' '), style: style.join(';') };
}

/** A carriage return without a newline redraws the line (progress bars): keep what was drawn last. */
function lastRedraw(line: string): string {
  const cr = line.lastIndexOf('\r');
  if (cr < 0) return line;
  if (cr === line.length - 1) return lastRedraw(line.slice(0, -1));
  return line.slice(cr + 1);
}

/** Split one line into styled segments; returns the state at the end of the line for the next one. */
export function parseLine(raw: string, start: SgrState = PLAIN): { segments: Segment[]; end: SgrState } {
  const line = lastRedraw(raw);
  const segments: Segment[] = [];
  let state = start;
  let last = 0;
  const push = (text: string): void => {
    if (!text) return;
    const d = describe(state);
    segments.push({ text, cls: d.cls, style: d.style });
  };
  if (!line.includes('\x1b')) {
    push(line);
    return { segments, end: state };
  }
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(line); m; m = ESCAPES.exec(line)) {
    push(line.slice(last, m.index));
    if (m[2] === 'm') state = applySgr(state, m[1] ?? '');
    last = m.index + m[0].length;
  }
  push(line.slice(last));
  return { segments, end: state };
}

/** The SGR state at the end of a line, without building its segments (following a log reads every line). */
export function sgrStateAfter(raw: string, start: SgrState = PLAIN): SgrState {
  if (!raw.includes('\x1b')) return start;
  const line = lastRedraw(raw);
  let state = start;
  ESCAPES.lastIndex = 0;
  for (let m = ESCAPES.exec(line); m; m = ESCAPES.exec(line)) if (m[2] === 'm') state = applySgr(state, m[1] ?? '');
  return state;
}

/** Text without escape sequences (for search and copy). */
export function stripAnsi(raw: string): string {
  if (!raw.includes('\x1b') && !raw.includes('\r')) return raw;
  ESCAPES.lastIndex = 0;
  return lastRedraw(raw).replace(ESCAPES, '');
}
