// The state the engine's parts share, built once by the facade. Every mutable collection lives in one of these
// objects, each with one owner: the unit of work writes rows, the active execution caches them, the in-flight
// submissions belong to the submit step.
import type { Backend } from '../backends/types';
import type { Store } from '../store/store';
import type { ActiveExecution } from './active-execution';
import type { InFlightSubmissions } from './in-flight-submissions';
import type { EngineOptions } from './options';
import type { StateLog } from './state-log';
import type { UnitOfWork } from './unit-of-work';
import type { UserCancels } from './user-cancels';
import type { OutputCollector } from '../outputs/collector';
import type { BudgetWatch } from '../usage/budget-watch';

export interface EngineParts {
  readonly o: EngineOptions;
  readonly store: Store;
  readonly backends: Map<string, Backend>;
  readonly active: ActiveExecution;
  readonly uow: UnitOfWork;
  readonly submissions: InFlightSubmissions;
  /** Cancels under way (backend call made, row not yet written). */
  readonly userCancels: UserCancels;
  readonly stateLog: StateLog;
  readonly maxTasks: number;
  readonly now: () => string;
  /** False once the engine is closing: no new backend calls. */
  readonly isOpen: () => boolean;
  /** Task outputs: collected when tasks finish, served back by the outputs.* calls. */
  readonly outputs: OutputCollector;
  /** Monthly budget thresholds already announced (backends[].cost.monthly_budget). */
  readonly budget: BudgetWatch;
}
