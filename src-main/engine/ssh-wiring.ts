// Wires Slurm/PBS backends to the SSH broker. Filled in by the SSH/Slurm integration; until then such backends
// are reported unavailable with a clear reason.
import type { BackendFactoryContext } from './backend-factory';

export function makeShellBackendFactory(_opts: { dataDir: string }): BackendFactoryContext['makeShellBackend'] {
  return undefined;
}
