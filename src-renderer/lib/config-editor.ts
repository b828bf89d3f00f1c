// The config editor's CodeMirror setup: YAML highlighting, line numbers, the lint gutter, and diagnostics from
// src-shared/config (the same checks the engine runs on load and save). No eval anywhere: it runs under the CSP.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { checkConfigText, type ConfigDiagnostic } from '../../src-shared/config';

export type { ConfigDiagnostic };

/** Errors first, then by position: the order the list under the editor shows them in. */
export function diagnosticsOf(text: string): ConfigDiagnostic[] {
  const r = checkConfigText(text);
  return [...r.errors, ...r.warnings].sort((a, b) => (a.severity === b.severity ? a.from - b.from : a.severity === 'error' ? -1 : 1));
}

export function toEditorDiagnostics(list: readonly ConfigDiagnostic[], length: number): Diagnostic[] {
  return list.map((d) => {
    const from = Math.max(0, Math.min(d.from, length));
    return { from, to: Math.max(from, Math.min(d.to, length)), severity: d.severity, message: d.path ? `${d.message}` : d.message };
  });
}

// Colours from the app's variables, so the editor follows the light/dark theme without a second theme.
const appTheme = EditorView.theme({
  '&': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: '6px', fontSize: '13px' },
  '&.cm-focused': { outline: '2px solid var(--accent-border)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', minHeight: '260px', maxHeight: '60vh' },
  '.cm-gutters': { backgroundColor: 'var(--subtle)', color: 'var(--faint)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--hover)' },
  '.cm-cursor': { borderLeftColor: 'var(--text)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border-strong)' },
});

// YAML colours from the theme's variables (CodeMirror's default style is dark blue keys: unreadable in dark mode).
const yamlColours = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: 'var(--accent-text)' },
  { tag: [tags.string, tags.special(tags.string)], color: 'var(--text)' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--warn-text)' },
  { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [tags.punctuation, tags.separator, tags.operator], color: 'var(--muted)' },
  { tag: [tags.meta, tags.labelName, tags.typeName], color: 'var(--muted)' },
]);

export interface ConfigEditorHandle {
  view: EditorView;
  setText(text: string): void;
  destroy(): void;
}

/** Mount the editor; `onText` gets every new text (the caller debounces the checks). */
export function mountConfigEditor(parent: HTMLElement, text: string, onText: (text: string) => void, label: string): ConfigEditorHandle {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        indentUnit.of('  '),
        EditorState.tabSize.of(2),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        yaml(),
        syntaxHighlighting(yamlColours),
        lintGutter(),
        appTheme,
        EditorView.contentAttributes.of({ 'aria-label': label, 'data-testid': 'config-editor-content' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onText(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    setText(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next } });
    },
    destroy: () => view.destroy(),
  };
}

export function showDiagnostics(view: EditorView, list: readonly ConfigDiagnostic[]): void {
  view.dispatch(setDiagnostics(view.state, toEditorDiagnostics(list, view.state.doc.length)));
}
