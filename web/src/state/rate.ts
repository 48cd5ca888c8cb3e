/** A rolling per-minute rate from 1-second buckets (reports per minute from station updates). */
export class RollingRate {
  private buckets: Float64Array;
  private stamps: Float64Array;

  constructor(private readonly windowSeconds = 60) {
    this.buckets = new Float64Array(windowSeconds);
    this.stamps = new Float64Array(windowSeconds).fill(-1);
  }

  add(nowMs: number, count: number): void {
    const sec = Math.floor(nowMs / 1000);
    const i = sec % this.windowSeconds;
    if (this.stamps[i] !== sec) {
      this.stamps[i] = sec;
      this.buckets[i] = 0;
    }
    this.buckets[i] += count;
  }

  /** Events in the last `windowSeconds` seconds, scaled to one minute. */
  perMinute(nowMs: number): number {
    const sec = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const age = sec - this.stamps[i];
      if (this.stamps[i] >= 0 && age >= 0 && age < this.windowSeconds) total += this.buckets[i];
    }
    return (total * 60) / this.windowSeconds;
  }
}
