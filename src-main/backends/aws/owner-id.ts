// Which data folder launched a cloud resource. Two ScriptHut engines (a laptop and a team server, say) may use the
// same backend name on the same AWS account; only the engine whose data folder launched an instance may ever call
// it an orphan and terminate it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function dataFolderOwnerId(dataDir: string): string {
  const file = path.join(dataDir, 'owner-id');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f-]{36}$/.test(existing)) return existing;
  } catch {
    // First use of this data folder: make one below.
  }
  const id = randomUUID();
  fs.mkdirSync(dataDir, { recursive: true });
  // 'wx' keeps the id of an engine that won a race; read it back either way.
  try {
    fs.writeFileSync(file, id + '\n', { flag: 'wx', mode: 0o600 });
    return id;
  } catch {
    return fs.readFileSync(file, 'utf8').trim();
  }
}
