// Indexes appended log text off the page's thread: at ~1 MB/s a followed log is ~17,000 new lines a second, and
// finding them, their widths and the colour each starts in took the page 20-100 ms per append.
import type { SgrState } from './ansi';
import { indexLines } from './log-lines';

interface Ask {
  id: number;
  text: string;
  start: SgrState;
}

const scope = globalThis as unknown as {
  onmessage: ((e: { data: Ask }) => void) | null;
  postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
};
scope.onmessage = (e) => {
  const { id, text, start } = e.data;
  try {
    const index = indexLines(text, start);
    scope.postMessage({ id, ok: true, index }, [index.starts.buffer as ArrayBuffer, index.widths.buffer as ArrayBuffer]);
  } catch (err) {
    scope.postMessage({ id, ok: false, error: (err as Error).message });
  }
};
