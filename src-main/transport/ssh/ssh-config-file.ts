// Read ~/.ssh/config with its `Include` lines expanded in place (the ssh-config package does not follow them).
// Relative include paths are relative to ~/.ssh, as in OpenSSH; `*` and `?` wildcards work in the file name part.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';

function expandInclude(pattern: string, home: string): string[] {
  let path = pattern.replace(/^~(?=\/|$)/, home);
  if (!isAbsolute(path)) path = join(home, '.ssh', path);
  const dir = dirname(path);
  const name = basename(path);
  if (!/[*?]/.test(name)) return existsSync(path) ? [path] : [];
  if (!existsSync(dir)) return [];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The config text with includes inlined; a missing file reads as empty (no config). */
export function readSshConfig(path: string, home: string, depth = 0): string {
  if (!existsSync(path)) return '';
  if (depth > 8) throw new Error(`ssh config: Include nests more than 8 levels deep at ${path}; check for an Include loop`);
  const text = readFileSync(path, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => {
      const m = /^\s*include\s*[=\s]\s*(.+)$/i.exec(line);
      if (!m || !m[1]) return line;
      const patterns = m[1].match(/"[^"]*"|\S+/g) ?? [];
      return patterns
        .flatMap((p) => expandInclude(p.replace(/^"|"$/g, ''), home))
        .map((file) => readSshConfig(file, home, depth + 1))
        .join('\n');
    })
    .join('\n');
}
