// Pure pieces of the local backend: job ids from tags, /proc parsing, verdicts from spool evidence, UTF-8 cuts,
// and the supervisor script.
import { parseExitReport } from '../../src-main/backends/local/launcher';
import { describe, expect, it } from 'vitest';
import { verdictOf, LOST_REASON, NEVER_STARTED_REASON } from '../../src-main/backends/local/local-backend';
import { completeUtf8Length } from '../../src-main/backends/local/log-reader';
import { parsePidFile, parseProcStat, parseReaperLine } from '../../src-main/backends/local/process-identity';
import { isValidJobId, jobIdForTag, parseExitCode, secondLine } from '../../src-main/backends/local/spool';
import { supervisorScript } from '../../src-main/backends/local/supervisor';

describe('jobIdForTag', () => {
  it('keeps safe tags as they are and is stable', () => {
    expect(jobIdForTag('sh-abc123-task_1-2')).toBe('sh-abc123-task_1-2');
    expect(jobIdForTag('a b/c')).toBe(jobIdForTag('a b/c'));
  });
  it.each(['a b', 'a/b', '../../etc', '.hidden', 'x.tmp', 'tag\nnewline', 'ü', ''])('turns %j into a safe, valid folder name', (tag) => {
    const id = jobIdForTag(tag);
    expect(isValidJobId(id)).toBe(true);
    expect(id).not.toContain('/');
  });
  it('never maps two different tags to the same id', () => {
    expect(jobIdForTag('a b')).not.toBe(jobIdForTag('a_b'));
    expect(jobIdForTag('a/b')).not.toBe(jobIdForTag('a b'));
  });
  it('refuses ids that could escape the spool', () => {
    expect(isValidJobId('..')).toBe(false);
    expect(isValidJobId('a/b')).toBe(false);
  });
});

describe('process records', () => {
  it('reads field 22 of /proc/<pid>/stat even when the command name has spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[19] = '987654';
    expect(parseProcStat(`1234 (we (ird) name) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: '987654' });
    expect(parseProcStat('garbage')).toBeNull();
  });
  it('reads the reaping launcher from the third line of a pid file, and nothing from a supervisor\'s', () => {
    expect(parseReaperLine('4242 123\n2026-12-01T00:00:00Z\nreaper 77 456\n')).toEqual({ pid: 77, startTime: '456' });
    expect(parseReaperLine('4242 123\n2026-12-01T00:00:00Z\n')).toBeNull();
    expect(parseReaperLine('0 -\n2026-12-01T00:00:00Z\n')).toBeNull();
    expect(parseReaperLine('4242 123\nx\nreaper 1 5\n')).toBeNull();
    // A launcher on the cancelled-before-start path writes pid 0: no process to signal or to watch.
    expect(parsePidFile('0 -\n2026-12-01T00:00:00Z\n')).toBeNull();
  });
  it('parses the pid file written by the supervisor', () => {
    expect(parsePidFile('4242 123456\n')).toEqual({ pid: 4242, startTime: '123456' });
    expect(parsePidFile('4242 Mon Jan  1 10:00:00 2024\n')).toEqual({ pid: 4242, startTime: 'Mon Jan  1 10:00:00 2024' });
    expect(parsePidFile('4242 \n')).toEqual({ pid: 4242, startTime: '' });
    expect(parsePidFile('')).toBeNull();
    expect(parsePidFile('1 x')).toBeNull(); // never signal init
    // The start stamp on the second line is not part of the process record.
    expect(parsePidFile('4242 123456\n2026-12-01T00:00:00Z\n')).toEqual({ pid: 4242, startTime: '123456' });
    expect(secondLine('4242 123456\n2026-12-01T00:00:00Z\n')).toBe('2026-12-01T00:00:00Z');
    expect(secondLine('4242 123456\n')).toBeNull();
    expect(secondLine(null)).toBeNull();
  });
  it('parses exit codes and ignores half-written files', () => {
    expect(parseExitCode('0\n')).toBe(0);
    expect(parseExitCode('137\n')).toBe(137);
    expect(parseExitCode('')).toBeNull();
    expect(parseExitCode(null)).toBeNull();
    expect(parseExitCode('3\n2026-12-01T00:00:00Z\n')).toBe(3);
    expect(parseExitCode('\n2026-12-01T00:00:00Z\n')).toBeNull();
  });
});

describe('verdictOf', () => {
  const proc = { pid: 10, startTime: '1' };
  const base = { startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T00:01:00Z', proc, cancelled: false };
  it.each([
    [{ rc: 0 }, { outcome: 'completed', exitCode: 0, reason: null }],
    [{ rc: 3 }, { outcome: 'failed', exitCode: 3, reason: 'Non-zero exit code' }],
    [{ rc: 137 }, { outcome: 'failed', exitCode: 137, reason: 'Killed by signal 9' }],
    [{ rc: 143, cancelled: true }, { outcome: 'cancelled', exitCode: 143, reason: 'Cancelled' }],
    [{ rc: null, cancelled: true }, { outcome: 'cancelled', exitCode: null, reason: 'Cancelled' }],
    [{ rc: null }, { outcome: 'failed', exitCode: null, reason: LOST_REASON }],
    [{ rc: null, proc: null }, { outcome: 'failed', exitCode: null, reason: NEVER_STARTED_REASON }],
    [{ rc: 0, cancelled: true }, { outcome: 'completed', exitCode: 0, reason: null }],
  ] as const)('%j → %j', (ev, expected) => {
    expect(verdictOf({ ...base, ...ev })).toMatchObject(expected);
  });
  it('never calls a job without an exit code completed', () => {
    expect(verdictOf({ ...base, rc: null }).outcome).not.toBe('completed');
  });
});

describe('completeUtf8Length', () => {
  it('cuts an unfinished multi-byte character off the end and keeps finished ones', () => {
    const euro = Buffer.from('a€', 'utf8'); // 61 e2 82 ac
    expect(completeUtf8Length(euro)).toBe(4);
    expect(completeUtf8Length(euro.subarray(0, 3))).toBe(1);
    expect(completeUtf8Length(euro.subarray(0, 2))).toBe(1);
    expect(completeUtf8Length(Buffer.from('🙂', 'utf8').subarray(0, 3))).toBe(0);
    expect(completeUtf8Length(Buffer.from('plain'))).toBe(5);
  });
});

describe('supervisorScript', () => {
  it('quotes log paths and uses one descriptor when both streams share a file', () => {
    const s = supervisorScript({ output: "/tmp/it's here/out.log", error: "/tmp/it's here/out.log", loginShell: true });
    expect(s).toContain(`bash -l script.sh > '/tmp/it'\\''s here/out.log' 2>&1 < /dev/null`);
    const t = supervisorScript({ output: '/l/o', error: '/l/e', loginShell: false });
    expect(t).toContain('bash script.sh > /l/o 2> /l/e < /dev/null');
    // The exit code and the end stamp: one file, first line the code.
    expect(t).toContain(`printf '%s\\n%s\\n' "$rc" "$finished" > rc`);
    // The pid file is created exclusively (noclobber): the lock that runs a job's script at most once.
    expect(t).toMatch(/set -C\n\{ printf '%s %s\\n%s\\n' "\$me" "\$start_time" "\$started" > pid; \} 2>\/dev\/null \|\| exit 0/);
    // The end is reported on the launcher's pipe in the shape the launcher parses.
    expect(t).toContain('echo "done ${PWD##*/} $rc $c $started $finished"');
  });
});

describe('parseExitReport', () => {
  it.each([
    ['done sh-r-t-1 0 0 2026-11-30T21:00:00Z 2026-11-30T21:00:01Z', { jobId: 'sh-r-t-1', rc: 0, cancelled: false, startedAt: '2026-11-30T21:00:00Z', finishedAt: '2026-11-30T21:00:01Z' }],
    ['done j 143 1  ', { jobId: 'j', rc: 143, cancelled: true, startedAt: null, finishedAt: null }],
    ['done j x 0 a b', null],
    ['started 123', null],
    ['done j 0 2 a b', null],
  ])('%j', (line, want) => {
    expect(parseExitReport(line)).toEqual(want);
  });
});
