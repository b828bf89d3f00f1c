// Terminal text: colour only where it helps (a TTY, no NO_COLOR / --no-color, not --json), and column widths
// that ignore colour escape codes so coloured tables still line up.

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function visibleLength(text: string): number {
  return stripAnsi(text).length;
}

export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off; FORCE_COLOR (non-"0") turns it on off a TTY. */
export function colourWanted(o: { isTTY: boolean; env: NodeJS.ProcessEnv; noColorFlag: boolean; json: boolean }): boolean {
  if (o.json || o.noColorFlag || (o.env.NO_COLOR ?? '') !== '') return false;
  if (o.env.FORCE_COLOR !== undefined && o.env.FORCE_COLOR !== '0') return true;
  return o.isTTY && o.env.TERM !== 'dumb';
}

/** A figure for people: two decimals, but small non-zero amounts keep two significant digits instead of "0.00". */
export function figure(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < 0.01) return n.toPrecision(2);
  return n.toFixed(2);
}
