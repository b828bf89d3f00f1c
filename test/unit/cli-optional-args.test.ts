// Found by trying the product: `prompts answer --help` printed `<id> <answer>` although the answer is optional
// (left out, it is asked without echo — the safe way). Help must mark every optional argument as [arg].
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src-main/cli/commands';

describe('command signatures', () => {
  it('every argument a command can do without is marked optional (shown as [arg] in help)', () => {
    const wrong = COMMANDS
      .filter((c) => c.minArgs !== undefined)
      .flatMap((c) => c.args.slice(c.minArgs).filter((a) => !a.endsWith('?')).map((a) => `${c.path.join(' ')} <${a}>`));
    expect(wrong).toEqual([]);
  });

  it('prompts answer takes the answer as an optional argument', () => {
    const c = COMMANDS.find((x) => x.path.join(' ') === 'prompts answer');
    expect(c?.args).toEqual(['id', 'answer?']);
  });
});
