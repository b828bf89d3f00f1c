// A damaged history database stops the engine (exit code 4 for the CLI). In the desktop app a dialog names the
// file and offers the two ways out that `scripthut db restore` and moving the file away give on the command line,
// so nobody has to open a terminal to get their app back.
import path from 'node:path';
import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron';
import { DAMAGED_DB_EXIT_CODE } from '../store/integrity';
import { listBackups, restoreBackup, setAsideDatabase } from '../store/backup';
import { acquireDataDirLock } from '../engine/lock';

export interface DamagedDatabase {
  file: string;
  problem: string;
}

/** The engine's DatabaseDamagedError (matched by shape: it crosses the startEngine callback). */
export function asDamagedDatabase(err: unknown): DamagedDatabase | null {
  const e = err as { exitCode?: unknown; file?: unknown; problem?: unknown } | null;
  if (!e || e.exitCode !== DAMAGED_DB_EXIT_CODE || typeof e.file !== 'string') return null;
  return { file: e.file, problem: typeof e.problem === 'string' ? e.problem : String((err as Error).message ?? '') };
}

export type Recovery = { action: 'restored'; from: string; previous: string | null } | { action: 'new'; keptAs: string | null } | { action: 'quit' };

type ShowMessageBox = (options: MessageBoxOptions) => Promise<MessageBoxReturnValue>;

/**
 * Ask what to do and do it. `tried` holds backups already restored in this start (they were damaged too), so the
 * dialog never offers the same one twice.
 */
export async function recoverDamagedDatabase(showMessageBox: ShowMessageBox, dataDir: string, damaged: DamagedDatabase, tried: Set<string>): Promise<Recovery> {
  const backup = listBackups(dataDir).find((b) => !tried.has(b.file)) ?? null;
  const choices: Array<{ label: string; act: () => Recovery }> = [];
  if (backup) {
    choices.push({
      label: `Restore the latest backup (${backup.day})`,
      act: () => {
        tried.add(backup.file);
        const r = restoreBackup(dataDir, backup.file);
        return { action: 'restored', from: backup.file, previous: r.previous };
      },
    });
  }
  choices.push({ label: 'Start with a new database (the damaged one is kept)', act: () => ({ action: 'new', ...setAsideDatabase(dataDir) }) });
  choices.push({ label: 'Quit', act: () => ({ action: 'quit' }) });
  const quitIndex = choices.length - 1;
  const { response } = await showMessageBox({
    type: 'error',
    title: 'ScriptHut: history database damaged',
    message: `The history database ${damaged.file} is damaged.`,
    detail:
      `${damaged.problem}\n\nScriptHut did not start, so nothing more is lost. ` +
      (backup ? `The latest backup is ${backup.file}. ` : `There is no backup in ${path.join(dataDir, 'backups')}. `) +
      'Whatever you choose, the damaged file is kept beside the new one.',
    buttons: choices.map((c) => c.label),
    defaultId: 0,
    cancelId: quitIndex,
    noLink: true,
  });
  const choice = choices[response] ?? (choices[quitIndex] as (typeof choices)[number]);
  if (choice === choices[quitIndex]) return choice.act();
  // The files are only touched while this process holds the data folder (no CLI engine may start meanwhile).
  const lock = acquireDataDirLock(dataDir);
  try {
    return choice.act();
  } finally {
    lock.release();
  }
}
