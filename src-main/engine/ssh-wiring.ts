// Wires Slurm/PBS backends to the SSH broker. Filled in by the SSH/Slurm integration; until then such backends
// are reported unavailable with a clear reason.
import type { BackendFactoryContext } from './backend-factory';
import type { ShellWiring } from './start';

export function makeShellBackendFactory(_w: ShellWiring): BackendFactoryContext['makeShellBackend'] {
  return undefined;
}
