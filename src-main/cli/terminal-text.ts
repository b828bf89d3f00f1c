// Task ids, workflow names, error messages and logs come from users and remote machines. Printed raw, an
// escape sequence can retitle the terminal, write the clipboard (OSC 52), move the cursor to overwrite what was
// shown, and bidi controls can make `rm a` read as `a mr`. Human output goes through forTerminal; --json keeps
// raw values (JSON.stringify escapes control characters itself).

/* eslint-disable no-control-regex -- matching control characters is the point of this file */
/** The only escape sequences the CLI itself writes: the status colours and the reset. */
const STATUS_COLOUR = /^\u001b\[(?:0|31|32|34|90)m/;
/** Colours and text styles (SGR) only — what programs put in their logs. No cursor moves, no OSC. */
const ANY_SGR = /^\u001b\[[0-9;]{0,32}m/;

// C0 controls except \t and \n, DEL, C1 controls, and the bidi embedding/override/isolate/mark characters.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/* eslint-enable no-control-regex */

export type KeepEscapes = 'none' | 'status-colours' | 'sgr';

function visible(ch: string): string {
  return `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`;
}

/** Make text safe to print: unsafe characters become visible `\u{1b}` text; allowed colour codes stay. */
export function forTerminal(text: string, keep: KeepEscapes = 'none'): string {
  if (!UNSAFE.test(text)) return text;
  const allowed = keep === 'status-colours' ? STATUS_COLOUR : keep === 'sgr' ? ANY_SGR : null;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\u001b' && allowed) {
      const m = allowed.exec(text.slice(i, i + 40));
      if (m) {
        out += m[0];
        i += m[0].length - 1;
        continue;
      }
    }
    out += UNSAFE.test(ch) ? visible(ch) : ch;
  }
  return out;
}
