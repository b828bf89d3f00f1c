// The log viewer's pure parts: the ANSI SGR reader, the capped line store, wrapping maths and highlights.
import { describe, expect, it } from 'vitest';
import { applySgr, parseLine, PLAIN, stripAnsi } from '../../src-renderer/lib/ansi';
import { highlight, lineAtRow, LogLines, wrapOffsets } from '../../src-renderer/lib/log-lines';
import { failureReason, formatCpuEfficiency } from '../../src-renderer/lib/failure';

const ESC = '\u001b';

describe('ANSI', () => {
  it('turns SGR codes into classes and drops other escapes', () => {
    const { segments, end } = parseLine(`${ESC}[1;31mred${ESC}[0m plain ${ESC}[32mgreen${ESC}[K`);
    expect(segments).toEqual([
      { text: 'red', cls: 'ansi-fg-1 ansi-bold', style: '' },
      { text: ' plain ', cls: '', style: '' },
      { text: 'green', cls: 'ansi-fg-2', style: '' },
    ]);
    expect(end.fg).toBe('p2');
  });

  it('reads 256-colour and true-colour codes as inline colours', () => {
    expect(applySgr(PLAIN, '38;5;196').fg).toBe('rgb(255,0,0)');
    expect(applySgr(PLAIN, '48;2;1;2;3').bg).toBe('rgb(1,2,3)');
    expect(applySgr(PLAIN, '38;5;9').fg).toBe('p9');
  });

  it('keeps only the last redraw of a carriage-return progress line', () => {
    expect(stripAnsi('10%\r50%\r100%')).toBe('100%');
    expect(stripAnsi(`${ESC}]0;title${ESC}\\x`)).toBe('x');
  });
});

describe('LogLines', () => {
  it('joins partial lines across appends and carries colour into the next line', () => {
    const b = new LogLines(100);
    b.append(`a${ESC}[33m`);
    b.append('b\nc\r\nd');
    expect(b.count).toBe(3);
    expect([b.text(0), b.text(1), b.text(2)]).toEqual(['ab', 'c', 'd']);
    expect(b.segments(1)).toEqual([{ text: 'c', cls: 'ansi-fg-3', style: '' }]);
  });

  it('drops the oldest lines past the cap and counts them', () => {
    const b = new LogLines(3);
    b.append('1\n2\n3\n4\n5\n');
    expect(b.count).toBe(3);
    expect(b.dropped).toBe(2);
    expect(b.text(0)).toBe('3');
  });

  it('matches a line-by-line reading for any way the text is cut into appends, across the cap', () => {
    // Reference: the whole text split at once, colours carried line to line with parseLine.
    const pieces = ['plain', `${ESC}[31mred`, 'still red', `${ESC}[0mreset`, `${ESC}[1;44mbold on blue`, 'x\r', '', `${ESC}[0m`, 'tail'];
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let round = 0; round < 30; round++) {
      const lines = Array.from({ length: 40 + rnd(60) }, () => pieces[rnd(pieces.length)] ?? '');
      const text = lines.join('\n') + (rnd(2) ? '\n' : '');
      const cap = 10 + rnd(50);
      const b = new LogLines(cap);
      for (let at = 0; at < text.length; ) {
        const len = 1 + rnd(40);
        b.append(text.slice(at, at + len));
        at += len;
      }
      const all = text.split('\n');
      const finished = all.slice(0, -1);
      const partial = all[all.length - 1] ?? '';
      const expected: Array<{ raw: string; start: ReturnType<typeof parseLine>['end'] }> = [];
      let state = parseLine('').end;
      for (const [k, raw] of [...finished, ...(partial ? [partial] : [])].entries()) {
        // A finished line loses the '\r' of a CRLF; the unfinished last line is shown as it is so far.
        const line = k < finished.length && raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        expected.push({ raw: line, start: state });
        state = parseLine(line, state).end;
      }
      const keptFinished = Math.min(finished.length, cap);
      const kept = expected.slice(finished.length - keptFinished);
      expect(b.count, `round ${round}`).toBe(kept.length);
      expect(b.dropped).toBe(finished.length - keptFinished);
      kept.forEach((e, i) => {
        expect(b.raw(i), `round ${round} line ${i}`).toBe(e.raw);
        expect(b.segments(i)).toEqual(parseLine(e.raw, e.start).segments);
      });
    }
  });

  it('finds lines and the first error line', () => {
    const b = new LogLines(100);
    b.append('start\nall good\nTraceback (most recent call last):\nValueError: x\n');
    expect(b.find('GOOD')).toEqual([1]);
    expect(b.firstError()).toBe(2);
  });

  it('counts wrapped rows per line and maps rows back to lines', () => {
    const b = new LogLines(100);
    b.append(`${'x'.repeat(25)}\n\nabc\n`);
    const off = wrapOffsets(b, 10);
    expect(Array.from(off)).toEqual([0, 3, 4, 5]);
    expect([0, 2, 3, 4].map((r) => lineAtRow(off, r))).toEqual([0, 0, 1, 2]);
  });

  it('cuts styled segments where the query matches', () => {
    const pieces = highlight([{ text: 'foo', cls: 'a', style: '' }, { text: 'bar', cls: '', style: '' }], 'OB');
    expect(pieces.map((p) => [p.text, p.cls, p.hit])).toEqual([
      ['fo', 'a', false],
      ['o', 'a', true],
      ['b', '', true],
      ['ar', '', false],
    ]);
  });
});

describe('failure reasons', () => {
  const base = { status: 'failed' as const, exit_code: null, error: null, scheduler_state: null, memory: '4G', time_limit: '1:00:00' };
  it('names the usual causes in plain words', () => {
    expect(failureReason({ ...base, exit_code: 3 })?.short).toBe('Exit code 3');
    expect(failureReason({ ...base, scheduler_state: 'OUT_OF_MEMORY' })?.long).toContain('4G');
    expect(failureReason({ ...base, scheduler_state: 'TIMEOUT' })?.long).toContain('1:00:00');
    expect(failureReason({ ...base, scheduler_state: 'NODE_FAIL' })?.short).toBe('Node failure');
    expect(failureReason({ ...base, exit_code: 137 })?.short).toBe('Killed (SIGKILL)');
    expect(failureReason({ ...base, status: 'completed' })).toBeNull();
  });

  it('shows CPU efficiency as the percentage the engine stores', () => {
    expect(formatCpuEfficiency(75)).toBe('75%');
    expect(formatCpuEfficiency(2.35)).toBe('2.4%');
    expect(formatCpuEfficiency(null)).toBeNull();
  });
});
