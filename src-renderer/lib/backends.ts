// Wording shared by the top bar chips and the Backends page, so a state reads the same everywhere.
import type { BackendInfo } from '../../src-shared/api/schemas';
import { formatDuration } from './time';

export type BackendState = BackendInfo['state'];

export const STATE_LABEL: Record<BackendState, string> = {
  ready: 'Ready',
  connecting: 'Connecting…',
  connected: 'Connected',
  waiting_for_user: 'Waiting for you',
  backing_off: 'Retrying',
  error: 'Error',
  disabled: 'Disabled',
};

export type Tone = 'good' | 'warn' | 'bad' | 'muted';

export function backendTone(state: BackendState): Tone {
  if (state === 'error') return 'bad';
  if (state === 'disabled') return 'muted';
  if (state === 'connecting' || state === 'backing_off' || state === 'waiting_for_user') return 'warn';
  return 'good';
}

/** "in 42s" / "now" for a retry time; null when there is none. */
export function retryIn(retryAt: string | null, now: number = Date.now()): string | null {
  if (!retryAt) return null;
  const at = Date.parse(retryAt);
  if (Number.isNaN(at)) return null;
  return at <= now ? 'now' : `in ${formatDuration(at - now)}`;
}

export function firstLine(text: string): string {
  const trimmed = text.replace(/^\s+/, '');
  const nl = trimmed.indexOf('\n');
  return nl < 0 ? trimmed : `${trimmed.slice(0, nl)} …`;
}

/** Exit codes below zero mean the command never ran to completion (timeout, connection lost). */
export function exitTone(exit: number, error: string | null): Tone {
  if (error || exit < 0) return 'bad';
  return exit === 0 ? 'good' : 'warn';
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return formatDuration(ms);
}

/** Largest first, so the reasons that hold most jobs read first. */
export function sortedCounts(counts: Record<string, number>): Array<[string, number]> {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
