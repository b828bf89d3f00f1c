// Issue 12: user-controlled strings must not drive the terminal (escape sequences, bidi controls).
import { describe, expect, it } from 'vitest';
import { forTerminal } from '../../src-main/cli/terminal-text';

describe('forTerminal', () => {
  it.each([
    ['OSC title', 'task\u001b]0;pwned\u0007', 'task\\u{1b}]0;pwned\\u{7}'],
    ['OSC 52 clipboard', '\u001b]52;c;cm0gLXJmIH4=\u0007', '\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}'],
    ['cursor up + erase line', 'ok\u001b[1A\u001b[2K', 'ok\\u{1b}[1A\\u{1b}[2K'],
    ['carriage return overwrite', 'evil\rgood', 'evil\\u{d}good'],
    ['C1 CSI', 'a\u009b31mb', 'a\\u{9b}31mb'],
    ['right-to-left override', 'file\u202Eexe.txt', 'file\\u{202e}exe.txt'],
    ['isolates and marks', '\u2066a\u2069\u200f\u061c', '\\u{2066}a\\u{2069}\\u{200f}\\u{61c}'],
    ['plain text with newline and tab', 'a\tb\nc — ü 日本', 'a\tb\nc — ü 日本'],
  ])('%s', (_label, input, expected) => {
    expect(forTerminal(input)).toBe(expected);
  });

  it('keeps only the status colours the CLI writes itself', () => {
    expect(forTerminal('\u001b[32mcompleted\u001b[0m', 'status-colours')).toBe('\u001b[32mcompleted\u001b[0m');
    expect(forTerminal('\u001b[8mhidden\u001b[0m', 'status-colours')).toBe('\\u{1b}[8mhidden\u001b[0m');
    expect(forTerminal('\u001b[32mok\u001b]0;t\u0007', 'status-colours')).toBe('\u001b[32mok\\u{1b}]0;t\\u{7}');
  });

  it('lets logs keep their colours but not cursor moves or OSC', () => {
    expect(forTerminal('\u001b[1;33mwarn\u001b[0m\n', 'sgr')).toBe('\u001b[1;33mwarn\u001b[0m\n');
    expect(forTerminal('\u001b[2J\u001b[H', 'sgr')).toBe('\\u{1b}[2J\\u{1b}[H');
  });
});
