// Logs a backend's failures as state changes: the first failure, a different failure, and the recovery — not
// the same line every cycle while a cluster is down (3,000 identical lines in 12 minutes, issue 7).
export type LogSink = (line: string) => void;

export class StateLog {
  private readonly last = new Map<string, string>();

  constructor(private readonly sink: LogSink = (line) => console.error(line)) {}

  /** `topic` failed with `message`: logged unless it is what was logged last for this topic. */
  failed(topic: string, message: string): void {
    // Only the numbers changing (a retry countdown, a time) is still the same state.
    const state = message.replace(/\d+/g, '#');
    if (this.last.get(topic) === state) return;
    this.last.set(topic, state);
    this.sink(`[engine] ${topic} failed: ${message}`);
  }

  /** `topic` worked: logged once if it had failed. */
  ok(topic: string): void {
    if (!this.last.has(topic)) return;
    this.last.delete(topic);
    this.sink(`[engine] ${topic} works again`);
  }
}
