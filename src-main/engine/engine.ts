// The engine's facade: implements the contract, owns the event bus and wires the parts (handlers -> actions,
// one loop per backend -> observe/submit, all writes through the unit of work). Every state change is a row
// change inside one transaction; events go out after the commit.
import { BudgetWatch } from '../usage/budget-watch';
import type { CallName, CallOutput, EventPayload } from '../../src-shared/api/contract';
import { ActiveExecution } from './active-execution';
import type { EngineApi, Handlers, JsonAnswer } from './dispatch';
import { dispatch, parseCallInput } from './dispatch';
import { jsonAnswerOf, jsonAnswerOfText } from './read-on-thread';
import { runsGetJson } from './read-calls';
import { EventBus } from './events';
import { backendInfo, liveCountsOf, makeHandlers } from './handlers';
import { configHandlers } from './config-handlers';
import type { BackendPlan } from './backend-plan';
import type { Backend } from '../backends/types';
import { InFlightSubmissions } from './in-flight-submissions';
import { UserCancels } from './user-cancels';
import { BackendLoop } from './loop';
import type { EngineOptions } from './options';
import type { EngineParts } from './parts';
import { DEFAULT_MAX_TASKS_PER_RUN } from './run-factory';
import { StateLog } from './state-log';
import { UnitOfWork } from './unit-of-work';
import { taskDef } from './views';
import { OutputCollector } from '../outputs/collector';

export type { EngineConfigInfo, EngineOptions } from './options';

export class Engine implements EngineApi {
  private readonly bus = new EventBus();
  private readonly loops = new Map<string, BackendLoop>();
  private readonly unwatch = new Map<string, () => void>();
  private readonly handlers: Handlers;
  private readonly parts: EngineParts;
  private closed = false;

  constructor(private readonly o: EngineOptions) {
    const now = o.now ?? (() => new Date().toISOString());
    const stateLog = new StateLog(o.log);
    const outputs = new OutputCollector({ store: o.store, backends: o.backends, dataDir: o.dataDir, now, log: (m) => stateLog.failed('task outputs', m) });
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
      userCancels: new UserCancels(),
      stateLog,
      maxTasks: o.maxTasksPerRun ?? DEFAULT_MAX_TASKS_PER_RUN,
      now,
      isOpen: () => !this.closed,
      outputs,
      budget: new BudgetWatch(o.dataDir),
    };
    this.handlers = { ...makeHandlers(this.parts, (name) => this.wake(name)), ...configHandlers(this.parts, this) };
    // The read handlers are synchronous: a small read is answered and encoded in one step on this thread.
    const handlers = this.handlers;
    // runs.get is written as text directly: the page's tasks reuse their kept JSON (task-views-kept.ts).
    const live = liveCountsOf(this.parts);
    o.reads?.answerSmallReadsWith((name, input) =>
      name === 'runs.list' ? jsonAnswerOf(handlers['runs.list'](parseCallInput(name, input))) : jsonAnswerOfText(runsGetJson(o.store.db, parseCallInput(name, input), live)),
    );
  }

  invoke<N extends keyof Handlers>(name: N, input: unknown): Promise<CallOutput<N>> {
    return dispatch(this.handlers, name, input);
  }
  invokeJson(name: CallName, input: unknown): Promise<JsonAnswer> | null {
    return this.closed ? null : (this.o.reads?.invokeJson(name, input) ?? null);
  }
  /** Task outputs (the host serves their bytes on a raw route). */
  get outputs(): OutputCollector {
    return this.parts.outputs;
  }
  subscribe(listener: Parameters<EventBus['subscribe']>[0]): () => void {
    return this.bus.subscribe(listener);
  }

  start(): void {
    // Outputs are collected after a task's verdict is committed, off the loop (a slow cluster never holds it up).
    this.bus.subscribe((e) => {
      if (e.event === 'task.changed') {
        const p = e.payload as EventPayload<'task.changed'>;
        // A cancelled task keeps what it wrote before the cancel; one cancelled before it was submitted wrote nothing.
        const ran = p.task.status === 'completed' || p.task.status === 'failed' || (p.task.status === 'cancelled' && p.task.submitted_at !== null);
        if (ran) this.parts.outputs.enqueue(p.run_id, p.task.id);
      } else if (e.event === 'run.deleted') {
        const id = (e.payload as EventPayload<'run.deleted'>).id;
        void this.parts.outputs.removeRun(id).catch((err: unknown) => this.parts.stateLog.failed(`removing the kept outputs of run '${id}'`, (err as Error).message));
      }
    });
    this.parts.outputs.catchUp(new Date(Date.parse(this.parts.now()) - 24 * 3600_000).toISOString());
    this.o.prompts.onChange((e) => {
      if (e.opened) this.bus.emit('prompt', e.opened);
      if (e.closed) this.bus.emit('prompt.closed', { id: e.closed });
    });
    for (const b of this.o.backends.values()) this.attach(b);
  }

  /** Start driving a backend that is (now) in the map: its loop, its status events, its job-end wake-ups. */
  private attach(b: Backend, announce = false): void {
    if (!this.loops.has(b.name)) this.loops.set(b.name, new BackendLoop(this.parts, b.name));
    const offStatus = b.onStatusChange(() => this.bus.emit('backend.changed', backendInfo(this.parts, b)));
    // A job that ended has a verdict now: run the cycle at once instead of waiting for the next poll.
    const offEnd = b.onJobEnd?.(() => this.wake(b.name));
    this.unwatch.set(b.name, () => {
      if (typeof offStatus === 'function') offStatus();
      if (typeof offEnd === 'function') offEnd();
    });
    // What an earlier engine left behind that is not a job goes now; its tasks may never be submitted again.
    void b.removeLeftovers?.().catch((err: unknown) => this.parts.stateLog.failed(`removing what an earlier engine left on '${b.name}'`, (err as Error).message));
    // A backend added or rebuilt by a config change: windows add or refresh its card.
    if (announce) this.bus.emit('backend.changed', backendInfo(this.parts, b));
    this.wake(b.name);
  }

  /**
   * Apply a new config's backends in place. Unchanged backends keep their object, connection and loop; a changed
   * one is swapped in the map (its loop looks the backend up every cycle) and the old object is closed once the
   * cycle in progress is over; a removed one loses its loop. Runs live in the store, so the new object adopts them.
   */
  async applyBackends(plan: BackendPlan, build: (name: string) => Backend): Promise<void> {
    const retired: Array<{ name: string; backend: Backend }> = [];
    for (const name of plan.removed) {
      const old = this.o.backends.get(name);
      this.unwatch.get(name)?.();
      this.unwatch.delete(name);
      this.loops.get(name)?.stop();
      this.o.backends.delete(name);
      if (old) retired.push({ name, backend: old });
    }
    for (const name of plan.changed) {
      const old = this.o.backends.get(name);
      this.unwatch.get(name)?.();
      const next = build(name);
      this.o.backends.set(name, next);
      this.attach(next, true);
      if (old) retired.push({ name, backend: old });
    }
    for (const name of plan.added) {
      const b = build(name);
      this.o.backends.set(name, b);
      this.attach(b, true);
    }
    // Close an old object only after the cycle that may still be using it is over (bounded: a hung call must
    // not hang the save).
    for (let i = 0; i < 250 && retired.some((r) => this.loops.get(r.name)?.busy); i++) await new Promise((r) => setTimeout(r, 20));
    for (const name of plan.removed) if (!this.o.backends.has(name)) this.loops.delete(name);
    await Promise.all(retired.map((r) => r.backend.close().catch(() => undefined)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.parts.outputs.stop();
    this.o.prompts.cancelAll();
    for (const loop of this.loops.values()) loop.stop();
    await this.o.reads?.close();
    // Let a step in progress finish its transaction before the store closes (and a collection its copy).
    await Promise.race([this.parts.outputs.idle(), new Promise((r) => setTimeout(r, 5000))]);
    for (let i = 0; i < 100 && this.anyBusy(); i++) await new Promise((r) => setTimeout(r, 50));
    await Promise.all([...this.o.backends.values()].map((b) => b.close().catch(() => undefined)));
    try {
      this.parts.uow.foldUsageLedger();
    } catch (err) {
      // The marks stay in the file; the next start folds them.
      console.error('[engine] folding the usage ledger at close failed:', err);
    }
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
