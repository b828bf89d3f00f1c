// A stack's content hash: what makes two builds interchangeable. Same bytes as the original ScriptHut so a cache
// directory it built is recognised: sha256 over name, prep, sorted inputs and every input file's bytes.
import { createHash } from 'node:crypto';

export interface HashedStack {
  name: string;
  prep: string;
  inputs: Record<string, string>;
  input_files: string[];
}

/** `readFile` returns a file's bytes, or null when it cannot be read (hashed as `<missing>`, like the original). */
export function stackHash(stack: HashedStack, readFile: (path: string) => Buffer | null): string {
  const h = createHash('sha256');
  h.update(`name=${stack.name}\0prep=${stack.prep}\0inputs=`);
  for (const key of Object.keys(stack.inputs).sort()) h.update(`${key}=${stack.inputs[key]}\0`);
  h.update('\0files=');
  for (const file of stack.input_files) {
    h.update(`${file}\0`);
    h.update(readFile(file) ?? Buffer.from('<missing>'));
    h.update('\0');
  }
  return h.digest('hex').slice(0, 12);
}
