// Numbered migrations. Never edit a shipped one: add the next number. PRAGMA user_version records the last applied.
import type Database from 'better-sqlite3';

export const MIGRATIONS: ReadonlyArray<{
  version: number;
  name: string;
  sql: string;
  /**
   * For a version merged after a higher one: true when a store already past it has not had it (migrate() then
   * applies it). The SQL must be safe to run once on such a store.
   */
  missingFrom?: (db: Database.Database) => boolean;
}> = [
  {
    version: 1,
    name: 'runs, tasks, attempts, transitions, external jobs, command log',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        workflow_name TEXT NOT NULL,
        title TEXT,
        backend_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        max_concurrent INTEGER,
        doc_json TEXT NOT NULL,
        halted_reason TEXT,
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        log_dir TEXT
      );
      CREATE INDEX runs_created ON runs(created_at DESC);
      CREATE INDEX runs_backend_status ON runs(backend_name, status);

      CREATE TABLE tasks (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        def_json TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 1,
        retries_left INTEGER NOT NULL DEFAULT 0,
        job_id TEXT,
        submit_tag TEXT,
        exit_code INTEGER,
        error TEXT,
        submitted_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        settling_since TEXT,
        pending_reason TEXT,
        scheduler_state TEXT,
        generated_by TEXT,
        max_rss TEXT,
        cpu_efficiency REAL,
        PRIMARY KEY (run_id, task_id)
      );
      CREATE INDEX tasks_run_seq ON tasks(run_id, seq);
      CREATE INDEX tasks_status ON tasks(status);

      CREATE TABLE attempts (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        backend_name TEXT NOT NULL,
        tag TEXT NOT NULL UNIQUE,
        job_id TEXT,
        status TEXT NOT NULL,
        script TEXT,
        env_json TEXT,
        submit_output TEXT,
        log_output TEXT,
        log_error TEXT,
        exit_code INTEGER,
        error TEXT,
        submitted_at TEXT,
        started_at TEXT,
        finished_at TEXT,
        PRIMARY KEY (run_id, task_id, attempt)
      );

      CREATE TABLE task_transitions (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at TEXT NOT NULL,
        from_status TEXT,
        to_status TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX transitions_run ON task_transitions(run_id, id);

      CREATE TABLE external_jobs (
        backend_name TEXT NOT NULL,
        job_id TEXT NOT NULL,
        name TEXT NOT NULL,
        user TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        partition TEXT,
        submitted_at TEXT,
        started_at TEXT,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        gone_at TEXT,
        PRIMARY KEY (backend_name, job_id)
      );

      CREATE TABLE command_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        backend_name TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        command TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        stdout TEXT NOT NULL,
        stderr TEXT NOT NULL,
        error TEXT
      );
      CREATE INDEX command_log_backend ON command_log(backend_name, id);
    `,
  },
  {
    version: 3,
    name: 'indexes for paged reads (runs list, task pages, status counts)',
    // Every index starts with run_id, so a page (sorted, filtered) is found in an index and only the page's own
    // rows are read; (run_id, status, seq) also answers the per-run status counts. The sort indexes leave status
    // out so a status change (the hot write) touches one new index: carrying status in all of them cost ~60% of
    // bench/transitions throughput, this set is within that bench's noise. Read figures: bench/runs-page.bench.ts,
    // bench/task-page.bench.ts.
    sql: `
      CREATE INDEX tasks_run_status_seq ON tasks(run_id, status, seq);
      CREATE INDEX tasks_run_submitted ON tasks(run_id, submitted_at, seq);
      CREATE INDEX tasks_run_started ON tasks(run_id, started_at, seq);
      CREATE INDEX tasks_run_finished ON tasks(run_id, finished_at, seq);
      CREATE INDEX tasks_run_duration ON tasks(run_id, (julianday(finished_at) - julianday(started_at)), seq);
      CREATE INDEX tasks_run_name ON tasks(run_id, json_extract(def_json, '$.name'), task_id, seq);
    `,
  },
  {
    version: 6,
    name: 'cost evidence on attempts: Slurm AllocTRES and cloud instance usage',
    // Charge-back needs what the scheduler allocated (AllocTRES, incl. billing) and, for EC2/Batch/ECS, the real
    // instance time; both are per attempt because every attempt is billed. Nullable: older rows have neither.
    sql: `
      ALTER TABLE attempts ADD COLUMN alloc_tres TEXT;
      ALTER TABLE attempts ADD COLUMN usage_json TEXT;
    `,
  },
  {
    version: 7,
    name: 'runs: the source a run was made from (name, repository, branch, full commit)',
    sql: `
      ALTER TABLE runs ADD COLUMN source_name TEXT;
      ALTER TABLE runs ADD COLUMN source_repo TEXT;
      ALTER TABLE runs ADD COLUMN source_branch TEXT;
      ALTER TABLE runs ADD COLUMN source_commit TEXT;
    `,
  },
  {
    version: 8,
    name: 'stack_states: the last check of each stack on each backend, and its latest install run',
    // A check is a remote command; the Stacks page lists what was last seen instead of asking every cluster on
    // every render. source_name is '' for the app's own stacks (a repository's scripthut.yaml may define more).
    sql: `
      CREATE TABLE stack_states (
        stack_name TEXT NOT NULL,
        backend_name TEXT NOT NULL,
        source_name TEXT NOT NULL DEFAULT '',
        hash TEXT NOT NULL,
        state TEXT NOT NULL,
        path TEXT NOT NULL,
        last_built TEXT,
        size_bytes INTEGER,
        error TEXT,
        checked_at TEXT,
        install_run_id TEXT,
        PRIMARY KEY (stack_name, backend_name, source_name)
      );
    `,
  },
  {
    version: 9,
    name: 'task outputs: the listing collected when a task finished, and what was copied into the data folder',
    sql: `
      CREATE TABLE task_output_collections (
        run_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        collected_at TEXT NOT NULL,
        has_run_summary INTEGER NOT NULL DEFAULT 0,
        notes_json TEXT NOT NULL DEFAULT '[]',
        error TEXT,
        PRIMARY KEY (run_id, task_id),
        FOREIGN KEY (run_id, task_id) REFERENCES tasks(run_id, task_id) ON DELETE CASCADE
      );
      CREATE TABLE task_outputs (
        run_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        kind TEXT NOT NULL,
        stored INTEGER NOT NULL DEFAULT 0,
        skipped TEXT,
        PRIMARY KEY (run_id, task_id, path),
        FOREIGN KEY (run_id, task_id) REFERENCES tasks(run_id, task_id) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 10,
    name: 'usage ledger: one row per started attempt and per-UTC-quarter-hour sums, kept current by dirty marks',
    // A year of usage by day read 200k attempts through json_extract (> 1 s). The ledger keeps each attempt's
    // report keys and times (usage_attempts) and, for finished attempts, CPU-milliseconds and attempt starts per UTC
    // quarter hour and key (usage_quarters, keys numbered in usage_keys so a row is four numbers): a year is ~35k quarters read through
    // the primary key. Triggers only mark
    // which tasks changed (usage_dirty, whoever wrote them); src-main/store/usage-ledger.ts folds them in, in the
    // writer's transaction (unit of work), at start (the backfill below) and before a report.
    sql: `
      CREATE TABLE usage_attempts (
        run_id TEXT NOT NULL,
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        backend_name TEXT NOT NULL,
        workflow_name TEXT NOT NULL,
        source_name TEXT NOT NULL,
        partition TEXT NOT NULL,
        cpus REAL NOT NULL,
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER,
        dur_ms INTEGER,
        PRIMARY KEY (run_id, task_id, attempt)
      ) WITHOUT ROWID;
      CREATE INDEX usage_attempts_started ON usage_attempts(started_ms);
      CREATE INDEX usage_attempts_finished ON usage_attempts(finished_ms);
      CREATE INDEX usage_attempts_dur ON usage_attempts(dur_ms);
      CREATE TABLE usage_keys (
        id INTEGER PRIMARY KEY,
        backend_name TEXT NOT NULL,
        partition TEXT NOT NULL,
        workflow_name TEXT NOT NULL,
        source_name TEXT NOT NULL,
        UNIQUE (backend_name, partition, workflow_name, source_name)
      );
      CREATE TABLE usage_quarters (
        q INTEGER NOT NULL,
        key_id INTEGER NOT NULL,
        cpu_ms REAL NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (q, key_id)
      ) WITHOUT ROWID;
      CREATE TABLE usage_dirty (run_id TEXT NOT NULL, task_id TEXT NOT NULL, PRIMARY KEY (run_id, task_id)) WITHOUT ROWID;

      CREATE TRIGGER usage_tasks_ins AFTER INSERT ON tasks
        WHEN new.started_at IS NOT NULL OR EXISTS (SELECT 1 FROM attempts WHERE run_id = new.run_id AND task_id = new.task_id AND started_at IS NOT NULL)
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
      CREATE TRIGGER usage_tasks_upd AFTER UPDATE OF started_at, finished_at, attempt, def_json ON tasks
        WHEN old.started_at IS NOT new.started_at OR old.finished_at IS NOT new.finished_at OR old.attempt IS NOT new.attempt OR old.def_json IS NOT new.def_json
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
      CREATE TRIGGER usage_tasks_del AFTER DELETE ON tasks
        WHEN EXISTS (SELECT 1 FROM usage_attempts WHERE run_id = old.run_id AND task_id = old.task_id)
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (old.run_id, old.task_id); END;
      CREATE TRIGGER usage_attempts_ins AFTER INSERT ON attempts WHEN new.started_at IS NOT NULL
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
      CREATE TRIGGER usage_attempts_upd AFTER UPDATE OF started_at, finished_at ON attempts
        WHEN old.started_at IS NOT new.started_at OR old.finished_at IS NOT new.finished_at
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
      CREATE TRIGGER usage_runs_upd AFTER UPDATE OF backend_name, workflow_name, source_name ON runs
        WHEN old.backend_name IS NOT new.backend_name OR old.workflow_name IS NOT new.workflow_name OR old.source_name IS NOT new.source_name
        BEGIN INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM usage_attempts WHERE run_id = new.id; END;
      CREATE TRIGGER usage_runs_del AFTER DELETE ON runs
        BEGIN INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM usage_attempts WHERE run_id = old.id; END;

      INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM tasks WHERE started_at IS NOT NULL;
      INSERT OR IGNORE INTO usage_dirty SELECT run_id, task_id FROM attempts WHERE started_at IS NOT NULL;
    `,
  },
  {
    version: 11,
    name: 'tasks: the cross-run status index holds in-flight tasks only',
    // inFlightTasks() is the only reader of a status lookup across runs, and it asks for in-flight statuses. A
    // partial index over those leaves the bulk writes out of it: cancelling 100,000 pending tasks (pending →
    // cancelled) and creating a run (pending) no longer touch it, and it stays as small as the jobs in flight.
    // The IN list is written as inFlightTasks() writes it, so the planner sees that the query implies it.
    sql: `
      DROP INDEX tasks_status;
      CREATE INDEX tasks_in_flight ON tasks(status) WHERE status IN ('submitted','queued','running','settling');
    `,
  },
  {
    version: 12,
    name: 'runs: per-status task counts kept on a finished run',
    // The runs list shows every run's counts. A finished run's tasks do not change until a rerun (which makes
    // the run pending again), so its counts are taken once, when it finishes, instead of a GROUP BY over its
    // tasks on every page. NULL means "count the tasks" (runs still going, or counts not taken yet). Triggers
    // keep it right whoever writes the status; existing finished runs are counted here once.
    sql: `
      ALTER TABLE runs ADD COLUMN task_counts TEXT;
      CREATE TRIGGER runs_task_counts_on_finish AFTER UPDATE OF status ON runs
        WHEN NEW.status IN ('completed','failed','cancelled')
      BEGIN
        UPDATE runs SET task_counts = (SELECT json_group_object(status, n) FROM (SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = NEW.id GROUP BY status))
          WHERE id = NEW.id;
      END;
      CREATE TRIGGER runs_task_counts_on_reopen AFTER UPDATE OF status ON runs
        WHEN NEW.status NOT IN ('completed','failed','cancelled') AND NEW.task_counts IS NOT NULL
      BEGIN
        UPDATE runs SET task_counts = NULL WHERE id = NEW.id;
      END;
      UPDATE runs SET task_counts = (SELECT json_group_object(status, n) FROM (SELECT status, COUNT(*) AS n FROM tasks WHERE run_id = runs.id GROUP BY status))
        WHERE status IN ('completed','failed','cancelled');
    `,
  },
  {
    version: 13,
    name: 'usage ledger: a task that never started is not marked when only its finish time changes',
    // Cancelling 100,000 pending tasks sets their finished_at: the trigger marked every one dirty and the ledger
    // then re-read each (half the cancel's time) to find nothing, since a task without a start has no ledger row
    // before or after. Start, attempt and definition changes still mark, as before.
    sql: `
      DROP TRIGGER usage_tasks_upd;
      CREATE TRIGGER usage_tasks_upd AFTER UPDATE OF started_at, finished_at, attempt, def_json ON tasks
        WHEN old.started_at IS NOT new.started_at OR (old.finished_at IS NOT new.finished_at AND new.started_at IS NOT NULL)
          OR old.attempt IS NOT new.attempt OR old.def_json IS NOT new.def_json
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
    `,
  },
  {
    version: 15,
    name: 'DAG view: tasks indexed by group, and group-level dependency counts kept by triggers',
    // runs.graph of a 100,000-task run counted per-state tasks per group with a scan computing each id's group,
    // and group → group dependencies by parsing every task's def_json (~1.2 s). The expression index answers
    // the counts from the index alone (the expression is the one in src-main/store/queries/run-graph.ts: keep
    // them identical, or the planner will not use it). run_graph_edges holds, per run, how many dependencies go
    // from one node to another, where a node is a task's group or, for an ungrouped task, its id, so a read is a
    // few rows. Existing runs are counted here.
    sql: `
      CREATE INDEX tasks_run_group ON tasks(run_id, (CASE WHEN instr(task_id, '.') > 1 THEN substr(task_id, 1, instr(task_id, '.') - 1) END), status, seq);
      CREATE TABLE run_graph_edges (
        run_id TEXT NOT NULL,
        to_node TEXT NOT NULL,
        from_node TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (run_id, to_node, from_node)
      ) WITHOUT ROWID;
      -- New tasks are counted by Store.insertTasks (countNewTaskEdges: one upsert per node pair of the batch; a
      -- trigger per task added ~40% to creating a 100,000-task run). Deletions and rewrites are rare: triggers.
      -- A run's deletion cascades to its tasks after the run row is gone: its counts then go in one statement
      -- (run_graph_edges_run_del) instead of one trigger body per task.
      CREATE TRIGGER run_graph_edges_del AFTER DELETE ON tasks
        WHEN EXISTS (SELECT 1 FROM runs WHERE id = old.run_id) AND json_array_length(old.def_json, '$.deps') > 0
      BEGIN
        UPDATE run_graph_edges SET n = n - (SELECT count(*) FROM json_each(old.def_json, '$.deps') d WHERE coalesce(CASE WHEN instr(d.value, '.') > 1 THEN substr(d.value, 1, instr(d.value, '.') - 1) END, d.value) = run_graph_edges.from_node)
          WHERE run_id = old.run_id AND to_node = coalesce(CASE WHEN instr(old.task_id, '.') > 1 THEN substr(old.task_id, 1, instr(old.task_id, '.') - 1) END, old.task_id);
        DELETE FROM run_graph_edges WHERE run_id = old.run_id AND to_node = coalesce(CASE WHEN instr(old.task_id, '.') > 1 THEN substr(old.task_id, 1, instr(old.task_id, '.') - 1) END, old.task_id) AND n <= 0;
      END;
      CREATE TRIGGER run_graph_edges_run_del AFTER DELETE ON runs
      BEGIN
        DELETE FROM run_graph_edges WHERE run_id = old.id;
      END;
      CREATE TRIGGER run_graph_edges_upd AFTER UPDATE OF def_json ON tasks
        WHEN old.def_json IS NOT new.def_json
      BEGIN
        UPDATE run_graph_edges SET n = n - (SELECT count(*) FROM json_each(old.def_json, '$.deps') d WHERE coalesce(CASE WHEN instr(d.value, '.') > 1 THEN substr(d.value, 1, instr(d.value, '.') - 1) END, d.value) = run_graph_edges.from_node)
          WHERE run_id = old.run_id AND to_node = coalesce(CASE WHEN instr(old.task_id, '.') > 1 THEN substr(old.task_id, 1, instr(old.task_id, '.') - 1) END, old.task_id);
        INSERT INTO run_graph_edges (run_id, to_node, from_node, n)
          SELECT new.run_id, coalesce(CASE WHEN instr(new.task_id, '.') > 1 THEN substr(new.task_id, 1, instr(new.task_id, '.') - 1) END, new.task_id), coalesce(CASE WHEN instr(d.value, '.') > 1 THEN substr(d.value, 1, instr(d.value, '.') - 1) END, d.value), count(*) FROM json_each(new.def_json, '$.deps') d GROUP BY 3
          ON CONFLICT (run_id, to_node, from_node) DO UPDATE SET n = n + excluded.n;
        DELETE FROM run_graph_edges WHERE run_id = old.run_id AND to_node = coalesce(CASE WHEN instr(old.task_id, '.') > 1 THEN substr(old.task_id, 1, instr(old.task_id, '.') - 1) END, old.task_id) AND n <= 0;
      END;
      INSERT INTO run_graph_edges (run_id, to_node, from_node, n)
        SELECT t.run_id, coalesce(CASE WHEN instr(t.task_id, '.') > 1 THEN substr(t.task_id, 1, instr(t.task_id, '.') - 1) END, t.task_id), coalesce(CASE WHEN instr(d.value, '.') > 1 THEN substr(d.value, 1, instr(d.value, '.') - 1) END, d.value), count(*) FROM tasks t, json_each(t.def_json, '$.deps') d GROUP BY 1, 2, 3;
    `,
  },
  {
    version: 14,
    name: 'tasks: the in-flight index tests status with comparisons instead of an IN list',
    // Cancelling 100,000 pending tasks paid ~0.25 s for tasks_in_flight although none of them is in it: for every
    // updated row SQLite tests the index's WHERE on the row before and after, and an IN list of more than two
    // values is tested by a lookup in a temporary table. Four equalities joined by OR are plain comparisons. The
    // index holds the same rows; Store.inFlightTasks writes the test exactly this way so the planner uses it.
    sql: `
      DROP INDEX IF EXISTS tasks_in_flight;
      CREATE INDEX tasks_in_flight ON tasks(status) WHERE status = 'submitted' OR status = 'queued' OR status = 'running' OR status = 'settling';
    `,
    missingFrom: (db) => !/status = 'settling'/.test((db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'tasks_in_flight'`).pluck().get() as string | undefined) ?? ''),
  },
  {
    version: 16,
    name: 'tasks: the in-flight index keys on the run (a status change within flight leaves it alone); a token per run for its task set',
    // Keyed on status, the index moved an entry on every transition of a job in flight (submitted → queued →
    // running → settling): a delete and an insert per transition, ~30% of bench/transitions. Keyed on run_id, a
    // task's entry stays put while it is in flight and moves only when it enters or leaves. Same rows, same WHERE
    // (as Store.inFlightTasks writes it, so the planner still sees that the query implies it).
    //
    // run_task_sets: a token per run that changes whenever the run's set of tasks, their ids or definitions
    // change (not their states). Reads that depend only on those (which tasks match a text search, which tasks
    // depend on a group) are kept under it across the state writes that move the database's data_version every
    // turn. Store.insertTasks renews it once per batch (a trigger per inserted row would cost a 100,000-task
    // creation as much again); deletions and definition rewrites are rare and renew it by trigger. A run without
    // a row has had no such change since this migration.
    sql: `
      DROP INDEX IF EXISTS tasks_in_flight;
      CREATE INDEX tasks_in_flight ON tasks(run_id) WHERE status = 'submitted' OR status = 'queued' OR status = 'running' OR status = 'settling';
      CREATE TABLE run_task_sets (run_id TEXT PRIMARY KEY, token INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TRIGGER run_task_sets_del AFTER DELETE ON tasks
        WHEN EXISTS (SELECT 1 FROM runs WHERE id = old.run_id)
      BEGIN
        INSERT INTO run_task_sets (run_id, token) VALUES (old.run_id, random()) ON CONFLICT (run_id) DO UPDATE SET token = random();
      END;
      CREATE TRIGGER run_task_sets_upd AFTER UPDATE OF run_id, task_id, def_json ON tasks
        WHEN old.run_id IS NOT new.run_id OR old.task_id IS NOT new.task_id OR old.def_json IS NOT new.def_json
      BEGIN
        INSERT INTO run_task_sets (run_id, token) VALUES (old.run_id, random()) ON CONFLICT (run_id) DO UPDATE SET token = random();
        INSERT INTO run_task_sets (run_id, token) VALUES (new.run_id, random()) ON CONFLICT (run_id) DO UPDATE SET token = random();
      END;
      CREATE TRIGGER run_task_sets_run_del AFTER DELETE ON runs
      BEGIN
        DELETE FROM run_task_sets WHERE run_id = old.id;
      END;
    `,
  },
  {
    version: 19,
    name: "run_warnings: a run's workflow warnings (unknown fields, from its document and from generated tasks)",
    // They were answered once to the caller that created the run and shown as toasts: a reload, `run view` and the
    // HTTP API never showed them again. A row per warning, in the order found; generated_by is the generator task
    // ('' for the run's own document). The unique index makes a generator that runs again (a rerun) add nothing new.
    sql: `
      CREATE TABLE IF NOT EXISTS run_warnings (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        generated_by TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS run_warnings_once ON run_warnings(run_id, generated_by, message);
    `,
    missingFrom: (db) => db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run_warnings'`).pluck().get() === 0,
  },
  {
    version: 20,
    name: 'usage ledger: start and finish times are marked by the Store, not by a trigger per row',
    // The trigger fired on every UPDATE that set started_at or finished_at (two transitions of every attempt), and
    // a firing cost about as much with its WHEN false: ~15% of bench/transitions. Store.patchTask, the product's
    // only writer of those columns, collects the tasks it gave a time and marks them with one statement per run
    // before the transaction commits (Store.tx; a fold inside the transaction marks them first), so the ledger
    // plus its marks is still never half. Code that writes these columns with its own SQL must mark the tasks in
    // usage_dirty itself. Attempt and definition changes are rare and stay marked by the trigger, whoever writes.
    sql: `
      DROP TRIGGER IF EXISTS usage_tasks_upd;
      CREATE TRIGGER usage_tasks_upd AFTER UPDATE OF attempt, def_json ON tasks
        WHEN old.attempt IS NOT new.attempt OR old.def_json IS NOT new.def_json
        BEGIN INSERT OR IGNORE INTO usage_dirty VALUES (new.run_id, new.task_id); END;
    `,
  },
];
