/** Events per second over a sliding window (analysed fps for health); fixed memory, no allocation per event. */
export class RateMeter {
  private readonly stamps: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly windowMs: number,
    maxPerSecond: number,
    private readonly since: number,
  ) {
    this.stamps = new Float64Array(Math.ceil((maxPerSecond * windowMs) / 1000) + 1);
  }

  mark(now: number): void {
    this.stamps[this.next] = now;
    this.next = (this.next + 1) % this.stamps.length;
    this.count = Math.min(this.count + 1, this.stamps.length);
  }

  /** Rate over the window, or over the meter's lifetime while that is shorter (at least one second). */
  perSecond(now: number): number {
    const from = now - this.windowMs;
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.stamps[i] > from && this.stamps[i] <= now) n++;
    const spanMs = Math.min(this.windowMs, Math.max(1000, now - this.since));
    return (n * 1000) / spanMs;
  }
}
