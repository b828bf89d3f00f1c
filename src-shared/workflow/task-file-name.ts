// One file/folder name per task id, shared by every backend so two ids never share logs or an output folder.

/** Ids that are already safe file names keep their readable name (no suffix). */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$/;

/** FNV-1a 32-bit over the UTF-8 bytes, hex: short and stable across processes and releases. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The name used for a task's log files and output folder. Safe ids are used as they are; any other id is
 * sanitised, shortened and given `+<hash of the raw id>`. `+` never occurs in a safe id, so a sanitised name can
 * not collide with an id that was safe to begin with (`x\y` → `x_y+…`, `x_y` → `x_y`).
 */
export function taskFileName(taskId: string): string {
  if (SAFE_NAME.test(taskId)) return taskId;
  const safe = taskId.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '').slice(0, 80);
  return `${safe || 'task'}+${fnv1a(taskId)}`;
}
