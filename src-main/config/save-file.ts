// Writes scripthut.yaml so that a crash or a full disk never leaves half a file: the new text goes to a private
// temporary file next to it, is flushed, and replaces the old one with a rename; the old one is kept as .bak.
import fs from 'node:fs';
import path from 'node:path';

/** Write `text` to `file` atomically with mode 0600; returns the path of the backup, if there was a file. */
export function writeConfigAtomically(file: string, text: string): { written: string; backup: string | null } {
  // Write through a symlinked config (dotfiles repos) instead of replacing the link with a plain file.
  const target = fs.existsSync(file) ? fs.realpathSync(file) : file;
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  let backup: string | null = null;
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isFile()) throw new Error(`${target} is not a regular file; the config was not saved.`);
    backup = `${target}.bak`;
    fs.copyFileSync(target, backup);
    fs.chmodSync(backup, 0o600);
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { written: target, backup };
}
