// The log viewer's pure parts: the ANSI SGR reader, the capped line store, wrapping maths and highlights.
import { describe, expect, it } from 'vitest';
import { applySgr, parseLine, PLAIN, stripAnsi } from '../../src-renderer/lib/ansi';
import { highlight, indexLines, keptNote, lineAtRow, LogLines, LogSearch, WrapRows, wrapOffsets } from '../../src-renderer/lib/log-lines';
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

  // A log cut into appends at random places, capped at random: what the incremental parts keep must equal what
  // reading every held line again gives (wrapOffsets/lineAtRow/find are that plain reading).
  const PIECES = ['plain', `${ESC}[31mred and long enough to wrap twice`, 'tab\there', `${ESC}[0mreset`, 'x\r', '', `${ESC}[0m`, 'y'.repeat(45), 'progress 10%\rprogress 100%'];
  function randomLog(seed0: number): { text: string; cuts: number[]; cap: number; rnd: (n: number) => number } {
    let seed = seed0;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const lines = Array.from({ length: 60 + rnd(200) }, () => PIECES[rnd(PIECES.length)] ?? '');
    const text = lines.join('\n') + (rnd(2) ? '\n' : '');
    const cuts: number[] = [];
    for (let at = 0; at < text.length; ) cuts.push((at += 1 + rnd(300)));
    return { text, cuts, cap: 5 + rnd(120), rnd };
  }

  it('keeps wrapped-row totals that match a full recount after every append, drop and width change', () => {
    for (let round = 0; round < 40; round++) {
      const { text, cuts, cap, rnd } = randomLog(round + 11);
      const b = new LogLines(cap);
      const rows = new WrapRows();
      let cols = 10 + rnd(30);
      let from = 0;
      for (const to of cuts) {
        b.append(text.slice(from, to));
        from = to;
        if (rnd(5) === 0) cols = 5 + rnd(40);
        // Not every append is looked at: several may land between two views.
        if (rnd(3) === 0) continue;
        rows.sync(b, cols);
        const ref = wrapOffsets(b, cols);
        const where = `round ${round} at ${to} cols ${cols}`;
        expect(rows.total, where).toBe(ref[b.count] ?? 0);
        for (let i = 0; i <= b.count; i++) expect(rows.start(i), `${where} line ${i}`).toBe(ref[i]);
        for (let r = 0; r < rows.total; r += 1 + rnd(4)) expect(rows.lineAt(r), `${where} row ${r}`).toBe(lineAtRow(ref, r));
      }
    }
  });

  it('keeps search hits that match a full search after every append and drop', () => {
    for (let round = 0; round < 40; round++) {
      const { text, cuts, cap, rnd } = randomLog(round + 101);
      const b = new LogLines(cap);
      const search = new LogSearch(1 + rnd(30));
      const query = ['RED', 'y', 'progress 100', 'tab\th', 'nothing'][rnd(5)] ?? 'y';
      let from = 0;
      for (const to of cuts) {
        b.append(text.slice(from, to));
        from = to;
        if (rnd(3) === 0) continue;
        expect(search.update(b, query), `round ${round} at ${to}`).toEqual(b.find(query, search.limit));
      }
    }
  });

  it('indexes lines with their shown widths and starting colours', () => {
    const idx = indexLines(`ab\n${ESC}[31mred\r\n\tx\nstill\n`);
    expect(Array.from(idx.starts)).toEqual([0, 3, 13, 16, 22]);
    expect(Array.from(idx.widths)).toEqual([2, 3, 9, 5]);
    expect(idx.colours.map(([k, s]) => [k, s.fg])).toEqual([[2, 'p1'], [3, 'p1']]);
    expect(idx.end.fg).toBe('p1');
  });

  it('applies appends indexed elsewhere in order, even when answers come back out of order, and drops them on clear', async () => {
    const slowFirst = (() => {
      let n = 0;
      return (text: string, start: Parameters<typeof indexLines>[1]) =>
        new Promise<ReturnType<typeof indexLines>>((r) => setTimeout(() => r(indexLines(text, start)), n++ === 0 ? 30 : 0));
    })();
    const b = new LogLines(100);
    const done = [b.appendAsync(`one\n${ESC}[32mtw`, slowFirst), b.appendAsync('o\nthree\n', slowFirst), b.appendAsync('four', slowFirst)];
    await Promise.all(done);
    expect([0, 1, 2, 3].map((i) => b.text(i))).toEqual(['one', 'two', 'three', 'four']);
    expect(b.segments(2)).toEqual([{ text: 'three', cls: 'ansi-fg-2', style: '' }]);
    const stale = b.appendAsync('late\n', slowFirst);
    b.clear();
    await stale;
    expect(b.count).toBe(0);
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

describe('what the log view says it let go', () => {
  // The try-out's log: 40 steps of 10,000 lines, opened 3 s in (the view started from the tail of ~60,000 lines).
  const step = (i: number) => Array.from({ length: 10_000 }, (_, k) => `line ${i * 10_000 + k} of a chatty simulation step\n`).join('');
  const steps = Array.from({ length: 40 }, (_, i) => step(i + 1));

  it('counts the lines before the tail it started from as well as those dropped while following', () => {
    const buf = new LogLines(100_000);
    const before = steps.slice(0, 5).join('');
    const tail = before.split('\n').slice(-10_001).join('\n');
    buf.startedAfter(before.length - tail.length);
    buf.append(tail);
    for (const s of steps.slice(5)) buf.append(s);
    const total = 400_000;
    expect(buf.count).toBe(100_000);
    // 10,000 tail lines + 350,000 followed, 100,000 held.
    expect(buf.dropped).toBe(260_000);
    const neverShown = total - buf.count;
    // The estimate of the lines before the tail is within 1 % of the 40,000 there were.
    expect(Math.abs(buf.skippedLines - 40_000)).toBeLessThan(400);
    expect(Math.abs(buf.dropped + buf.skippedLines - neverShown)).toBeLessThan(400);
    const note = keptNote(buf, true) ?? '';
    expect(note).toMatch(/^Showing the last 100,000 lines: about 3\d\d,\d{3} earlier lines were let go/);
    expect(note).toContain('260,000 while following');
  });

  it('read from its start: only the exact count of lines let go; nothing let go: no note', () => {
    const buf = new LogLines(1000);
    expect(keptNote(buf, false)).toBeNull();
    buf.append(Array.from({ length: 1500 }, (_, k) => `${k}\n`).join(''));
    expect(buf.skippedLines).toBe(0);
    expect(keptNote(buf, false)).toBe('Showing the last 1,000 lines: 500 earlier lines were let go to keep the page fast');
  });

  it('started from the tail with nothing dropped: says about how many earlier lines are in the download', () => {
    const buf = new LogLines(1000);
    buf.startedAfter(400);
    buf.append('abc\n'.repeat(10));
    expect(keptNote(buf, true)).toBe('Showing the last 10 lines; about 100 earlier lines are in the download');
    buf.clear();
    expect(buf.skippedLines).toBe(0);
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
