// Wording of the Stacks page: sizes, state labels and which actions make sense in which state (kept out of the
// component so they are tested as plain functions).
import type { StackInfo } from '../../src-shared/api/stack-schemas';

export type StackBackendView = StackInfo['states'][number];

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function stateLabel(s: StackBackendView): string {
  if (s.state === 'installing' && s.install_run_status && !['completed', 'failed', 'cancelled'].includes(s.install_run_status)) return 'Installing';
  if (s.state === 'installing') return 'Half-built';
  if (s.state === 'ready') return 'Ready';
  return s.checked_at && !s.stale ? 'Missing' : 'Not checked';
}

export function stateTone(s: StackBackendView): 'good' | 'busy' | 'bad' | 'muted' {
  if (s.state === 'ready') return 'good';
  if (s.state === 'installing') return stateLabel(s) === 'Installing' ? 'busy' : 'bad';
  return s.checked_at && !s.stale ? 'bad' : 'muted';
}

/** The install run is still going: check/delete/install would race it. */
export function installActive(s: StackBackendView): boolean {
  return !!s.install_run_status && !['completed', 'failed', 'cancelled'].includes(s.install_run_status);
}
