/**
 * A concurrency limit that backs off when a provider pushes back (429/503)
 * and creeps back up as calls succeed: halve on pushback, at most once per
 * cool-down, then one more slot for every `limit` successes (AIMD, like TCP).
 */
export class AdaptiveLimiter {
  private current: number;
  private inFlight = 0;
  private successes = 0;
  private lastCut = Number.NEGATIVE_INFINITY;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly coolDownMs = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  async acquire(): Promise<void> {
    if (this.inFlight < this.current) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    this.inFlight -= 1;
    this.wake();
  }

  pushedBack(): void {
    const now = this.now();
    if (now - this.lastCut < this.coolDownMs) return;
    this.lastCut = now;
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.successes = 0;
  }

  succeeded(): void {
    if (this.current >= this.max) return;
    this.successes += 1;
    if (this.successes >= this.current) {
      this.successes = 0;
      this.current += 1;
      this.wake();
    }
  }

  private wake(): void {
    while (this.inFlight < this.current && this.waiting.length) {
      this.inFlight += 1;
      this.waiting.shift()?.();
    }
  }
}
