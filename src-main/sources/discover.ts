// Which files of a source are workflows: the source's glob (picomatch: `*` stays inside one folder, `**` crosses
// folders; hidden folders like .hut are included, as Python's Path.glob did) over the file list, then each file parsed as a workflow document. A file that is not a valid workflow
// is reported as a warning naming the file, never dropped silently.
import picomatch from 'picomatch';
import { parseWorkflowText } from '../../src-shared/workflow/parse';

export interface DiscoveredWorkflow {
  /** Path relative to the source root, with forward slashes. */
  file: string;
  /** `<source>/<file stem>`, the name runs of it get. */
  name: string;
  title: string | null;
  task_count: number;
}

export interface Discovery {
  workflows: DiscoveredWorkflow[];
  warnings: string[];
}

export function matchWorkflowFiles(files: readonly string[], glob: string): string[] {
  const isMatch = picomatch(glob.replace(/^\.\//, ''), { dot: true });
  return files.filter((f) => isMatch(f)).sort();
}

export function workflowName(source: string, file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return `${source}/${base.replace(/\.json$/i, '')}`;
}

export function discoverWorkflows(source: string, files: ReadonlyArray<{ file: string; text: string }>): Discovery {
  const workflows: DiscoveredWorkflow[] = [];
  const warnings: string[] = [];
  for (const { file, text } of files) {
    const parsed = parseWorkflowText(text);
    if (!parsed.ok) {
      const first = parsed.errors[0]?.message ?? 'invalid';
      const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : '';
      warnings.push(`${file}: not a valid workflow, skipped: ${first}${more}`);
      continue;
    }
    workflows.push({ file, name: workflowName(source, file), title: parsed.doc.title ?? null, task_count: parsed.doc.tasks.length });
  }
  return { workflows, warnings };
}
