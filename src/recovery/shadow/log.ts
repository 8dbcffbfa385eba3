// The shadow's passive-mode log: the driver treated as a state machine, keeping only the
// inputs needed to reach its current state. Entries are keyed so that a later call
// supersedes an earlier one (a new MAC replaces the old); completed requests are dropped.
export interface LogEntry<T = unknown> { key: string; bytes: number; value: T; seq: number }

/** Bytes of bookkeeping per entry (key, type, sequence, list links). */
export const ENTRY_HEADER_BYTES = 16;

export class ShadowLog {
  private readonly entries = new Map<string, LogEntry>();
  private seq = 0;
  private bytes = 0;
  peakEntries = 0;
  peakBytes = 0;
  atFailureEntries = 0;
  atFailureBytes = 0;
  appended = 0;

  put<T>(key: string, payloadBytes: number, value: T): void {
    this.drop(key);
    const e: LogEntry = { key, bytes: ENTRY_HEADER_BYTES + payloadBytes, value, seq: this.seq++ };
    this.entries.set(key, e);
    this.bytes += e.bytes;
    this.appended++;
    this.peakEntries = Math.max(this.peakEntries, this.entries.size);
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
  }

  drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }

  get<T>(key: string): T | undefined { return this.entries.get(key)?.value as T | undefined; }
  has(key: string): boolean { return this.entries.has(key); }

  /** Entries whose key starts with `prefix`, oldest first. */
  withPrefix<T>(prefix: string): Array<LogEntry<T>> {
    return [...this.entries.values()].filter((e) => e.key.startsWith(prefix)).sort((a, b) => a.seq - b.seq) as Array<LogEntry<T>>;
  }

  markFailure(): void { this.atFailureEntries = this.entries.size; this.atFailureBytes = this.bytes; }
  get size(): number { return this.entries.size; }
  get sizeBytes(): number { return this.bytes; }
}
