// A circuit breaker per buyer endpoint. Closed: requests go through and
// consecutive failures are counted; after `failures` of them it opens. Open:
// requests are refused until `cooldownMs` has passed; then it is half-open and
// lets exactly one probe through: a success closes it, a failure opens it again
// for another cooldown.

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state_: BreakerState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    readonly failures: number,
    readonly cooldownMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.state_ === 'open' && this.clock() - this.openedAt >= this.cooldownMs) return 'half-open';
    return this.state_;
  }

  /** When an open breaker lets a probe through (ms since the epoch). */
  get retryAt(): number | null {
    return this.state_ === 'closed' ? null : this.openedAt + this.cooldownMs;
  }

  /** May a request go now? In half-open, true for the one probe only. */
  allow(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open') return false;
    if (this.probing) return false;
    this.state_ = 'half-open';
    this.probing = true;
    return true;
  }

  success(): void {
    this.state_ = 'closed';
    this.consecutive = 0;
    this.probing = false;
  }

  failure(): void {
    if (this.state_ === 'half-open' || this.probing) {
      this.open();
      return;
    }
    this.consecutive++;
    if (this.consecutive >= this.failures) this.open();
  }

  private open(): void {
    this.state_ = 'open';
    this.openedAt = this.clock();
    this.consecutive = 0;
    this.probing = false;
  }
}
