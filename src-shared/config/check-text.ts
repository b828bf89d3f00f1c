// Checks the TEXT of a scripthut.yaml: YAML syntax, then the schema, each problem placed on its line. Pure (no
// Node, no DOM) so the settings editor runs it as the user types and the engine runs the same code on load/save.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import { validateConfig, type LocatedConfigIssue, type ParseConfigOptions } from './errors';
import type { PathSegment } from './path';
import type { ScripthutConfig } from './schema';

/** One problem as an editor shows it: 1-based line/column and the [from, to) character range it covers. */
export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  /** Config path (`backends[0].max_concurrent`), '' for syntax errors and whole-file problems. */
  path: string;
  message: string;
  line: number | null;
  col: number | null;
  from: number;
  to: number;
}

export interface ConfigTextCheck {
  /** Validated config (paths not expanded: that needs the file's folder and $HOME). */
  config: ScripthutConfig | null;
  /** True when the text had YAML syntax errors (schema problems were then not looked at). */
  syntaxError: boolean;
  errors: ConfigDiagnostic[];
  warnings: ConfigDiagnostic[];
  /** The raw YAML errors, for callers that word their own messages (the loader). */
  yamlErrors: YAMLError[];
}

export function checkConfigText(text: string, options: ParseConfigOptions = {}): ConfigTextCheck {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const errors = doc.errors.map((e) => syntaxDiagnostic(e, text.length));
    return { config: null, syntaxError: true, errors, warnings: [], yamlErrors: doc.errors };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    const message = `could not be read as YAML: ${(e as Error).message}`;
    return { config: null, syntaxError: true, errors: [{ severity: 'error', path: '', message, line: null, col: null, from: 0, to: Math.min(text.length, 1) }], warnings: [], yamlErrors: [] };
  }
  const result = validateConfig(data, options);
  const toDiag = (severity: ConfigDiagnostic['severity']) => (issue: LocatedConfigIssue): ConfigDiagnostic => {
    const span = firstLine(text, locateSpan(doc, issue.segments));
    const pos = span ? lc.linePos(span.from) : null;
    return { severity, path: issue.path, message: issue.message, line: pos?.line ?? null, col: pos?.col ?? null, from: span?.from ?? 0, to: span?.to ?? Math.min(text.length, 1) };
  };
  // In file order, as an editor's problem list reads (the checks that find them run section by section).
  const warnings = result.warnings.map(toDiag('warning')).sort((a, b) => a.from - b.from);
  if (!result.ok) return { config: null, syntaxError: false, errors: result.issues.map(toDiag('error')), warnings, yamlErrors: [] };
  return { config: result.config, syntaxError: false, errors: [], warnings, yamlErrors: [] };
}

/** The error's first line without the " at line L, column C:" that prettyErrors appends. */
export function yamlReason(e: YAMLError): string {
  const first = e.message.split('\n')[0] ?? e.message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

function syntaxDiagnostic(e: YAMLError, length: number): ConfigDiagnostic {
  const pos = e.linePos?.[0];
  const from = Math.min(e.pos[0], length);
  const to = Math.max(from, Math.min(e.pos[1], length));
  return { severity: 'error', path: '', message: `YAML syntax error: ${yamlReason(e)}`, line: pos?.line ?? null, col: pos?.col ?? null, from, to };
}

/** A list item's range covers the whole entry; underlining its first line is enough to point at it. */
function firstLine(text: string, span: { from: number; to: number } | undefined): { from: number; to: number } | undefined {
  if (!span) return span;
  const eol = text.indexOf('\n', span.from);
  return { from: span.from, to: eol >= 0 && eol < span.to ? Math.max(span.from + 1, eol) : span.to };
}

/** Character range of the deepest YAML node on the path (the key for mapping entries). */
function locateSpan(doc: Document, segments: readonly PathSegment[]): { from: number; to: number } | undefined {
  let node: unknown = doc.contents;
  let span = rangeOf(node);
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      span = rangeOf(pair.key) ?? span;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      span = rangeOf(node) ?? span;
    } else {
      break;
    }
  }
  return span;
}

function rangeOf(node: unknown): { from: number; to: number } | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? { from: range[0], to: range[1] } : undefined;
}
