// Path sources on a backend reached over SSH: the folder is listed with one remote command and the workflow files
// are read with one more (base64 on the wire), through the backend's own file access.
import type { Backend } from '../backends/types';
import { matchWorkflowFiles } from './discover';

export type RemoteFiles = Required<Pick<Backend, 'listFiles' | 'readFiles'>>;

/** Workflow files of a source tree are small; a bigger file is reported, not read. */
const MAX_WORKFLOW_BYTES = 4 * 1024 * 1024;
const MAX_LISTED = 20_000;

export function remoteFilesOf(b: Backend | undefined): RemoteFiles | null {
  if (!b?.listFiles || !b.readFiles) return null;
  return { listFiles: b.listFiles.bind(b), readFiles: b.readFiles.bind(b) };
}

export async function listRemoteWorkflowFiles(remote: RemoteFiles, root: string, glob: string, backend: string): Promise<string[]> {
  const listing = await remote.listFiles(root, { maxDepth: 32, limit: MAX_LISTED });
  if (!listing.exists) throw new Error(`folder '${root}' does not exist on backend '${backend}'`);
  return matchWorkflowFiles(
    listing.files.map((f) => f.path),
    glob,
  );
}

/** Texts in the order asked; null for a file that is missing. */
export async function readRemoteTexts(remote: RemoteFiles, root: string, files: string[]): Promise<Array<string | null>> {
  return (await readRemoteBytes(remote, root, files)).map((b) => (b ? b.toString('utf8') : null));
}

/** The bytes of files under `root` (one command); null for a missing file. Stack input files may be binary. */
export async function readRemoteBytes(remote: RemoteFiles, root: string, files: string[]): Promise<Array<Buffer | null>> {
  const reads = await remote.readFiles(root, files, MAX_WORKFLOW_BYTES);
  return reads.map((r) => {
    if (r.status === 'too_large') throw new Error(`${r.path} is larger than ${MAX_WORKFLOW_BYTES / (1024 * 1024)} MiB; not read as a workflow`);
    return r.bytes ?? null;
  });
}
