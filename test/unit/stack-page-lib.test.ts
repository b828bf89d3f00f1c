import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from '../../src-renderer/lib/router';
import { formatBytes, installActive, stateLabel, stateTone, type StackBackendView } from '../../src-renderer/lib/stacks';

const view = (over: Partial<StackBackendView>): StackBackendView => ({
  name: 's', backend: 'b', state: 'missing', hash: 'h', path: 'p', last_built: null, size_bytes: null, error: null, checked_at: null, stale: false, install_run_id: null, install_run_status: null, ...over,
});

describe('Stacks page wording', () => {
  it('has an address of its own', () => {
    expect(parseRoute('#/stacks')).toEqual({ page: 'stacks' });
    expect(formatRoute({ page: 'stacks' })).toBe('#/stacks');
  });

  it.each([
    [{}, 'Not checked', 'muted'],
    [{ checked_at: 't' }, 'Missing', 'bad'],
    [{ checked_at: 't', stale: true }, 'Not checked', 'muted'],
    [{ state: 'ready' as const, checked_at: 't' }, 'Ready', 'good'],
    [{ state: 'installing' as const, install_run_status: 'running' }, 'Installing', 'busy'],
    [{ state: 'installing' as const, install_run_status: 'failed', checked_at: 't' }, 'Half-built', 'bad'],
  ])('%j → %s', (over, label, tone) => {
    expect(stateLabel(view(over))).toBe(label);
    expect(stateTone(view(over))).toBe(tone);
  });

  it('blocks actions only while the install run is going', () => {
    expect(installActive(view({ install_run_status: 'pending' }))).toBe(true);
    expect(installActive(view({ install_run_status: 'completed' }))).toBe(false);
    expect(installActive(view({}))).toBe(false);
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(20480)).toBe('20.0 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });
});
