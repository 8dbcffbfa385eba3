// Bounds recovery attempts: failures that follow a recovery within `quietUs` belong to the
// same episode; after `max` attempts in one episode the strategy gives up cleanly.
export class RetryBudget {
  private attempts = 0;
  private lastUs = -Infinity;
  constructor(private readonly max: number, private readonly quietUs: number) {}

  admit(nowUs: number): boolean {
    if (nowUs - this.lastUs > this.quietUs) this.attempts = 0;
    this.lastUs = nowUs;
    return ++this.attempts <= this.max;
  }

  /** Recovery made progress (the cause was found and bypassed): a new episode starts. */
  reset(): void { this.attempts = 0; }
}
