// The engine's facade: implements the contract, owns the event bus and wires the parts (handlers -> actions,
// one loop per backend -> observe/submit, all writes through the unit of work). Every state change is a row
// change inside one transaction; events go out after the commit.
import { BudgetWatch } from '../usage/budget-watch';
import type { CallOutput } from '../../src-shared/api/contract';
import { ActiveExecution } from './active-execution';
import type { EngineApi, Handlers } from './dispatch';
import { dispatch } from './dispatch';
import { EventBus } from './events';
import { backendInfo, makeHandlers } from './handlers';
import { InFlightSubmissions } from './in-flight-submissions';
import { BackendLoop } from './loop';
import type { EngineOptions } from './options';
import type { EngineParts } from './parts';
import { DEFAULT_MAX_TASKS_PER_RUN } from './run-factory';
import { StateLog } from './state-log';
import { UnitOfWork } from './unit-of-work';
import { taskDef } from './views';

export type { EngineConfigInfo, EngineOptions } from './options';

export class Engine implements EngineApi {
  private readonly bus = new EventBus();
  private readonly loops = new Map<string, BackendLoop>();
  private readonly handlers: Handlers;
  private readonly parts: EngineParts;
  private closed = false;

  constructor(private readonly o: EngineOptions) {
    const active = new ActiveExecution(
      (runId) => o.store.listTasks(runId),
      (row) => taskDef(row).deps,
    );
    this.parts = {
      o,
      store: o.store,
      backends: o.backends,
      active,
      uow: new UnitOfWork(o.store, active, this.bus),
      submissions: new InFlightSubmissions(),
      stateLog: new StateLog(o.log),
      maxTasks: o.maxTasksPerRun ?? DEFAULT_MAX_TASKS_PER_RUN,
      now: o.now ?? (() => new Date().toISOString()),
      isOpen: () => !this.closed,
      budget: new BudgetWatch(o.dataDir),
    };
    this.handlers = makeHandlers(this.parts, (name) => this.wake(name));
  }

  invoke<N extends keyof Handlers>(name: N, input: unknown): Promise<CallOutput<N>> {
    return dispatch(this.handlers, name, input);
  }
  subscribe(listener: Parameters<EventBus['subscribe']>[0]): () => void {
    return this.bus.subscribe(listener);
  }

  start(): void {
    this.o.prompts.onChange((e) => {
      if (e.opened) this.bus.emit('prompt', e.opened);
      if (e.closed) this.bus.emit('prompt.closed', { id: e.closed });
    });
    for (const b of this.o.backends.values()) {
      this.loops.set(b.name, new BackendLoop(this.parts, b.name));
      b.onStatusChange(() => this.bus.emit('backend.changed', backendInfo(this.parts, b)));
      // A job that ended has a verdict now: run the cycle at once instead of waiting for the next poll.
      b.onJobEnd?.(() => this.wake(b.name));
      this.wake(b.name);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.o.prompts.cancelAll();
    for (const loop of this.loops.values()) loop.stop();
    // Let a step in progress finish its transaction before the store closes.
    for (let i = 0; i < 100 && this.anyBusy(); i++) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.o.backends.values()].map((b) => b.close().catch(() => undefined)));
  }

  /** Run a backend's cycle now (or right after the one in progress). */
  wake(backendName: string): void {
    this.loops.get(backendName)?.wake();
  }

  /** For tests and the CLI: resolves when every backend has finished the cycle it is in. */
  async idle(): Promise<void> {
    while (this.anyBusy()) await new Promise((r) => setTimeout(r, 20));
  }

  private anyBusy(): boolean {
    return [...this.loops.values()].some((l) => l.busy);
  }
}
