/**
 * Gap detection on a subscription's sequence numbers.
 *
 * The API numbers each subscription's messages 1, 2, 3, ... with no gaps; a new subscription (after a
 * reconnect) starts again at 1. A jump means messages were lost: the view must re-query its snapshot.
 */
export type SeqVerdict = "first" | "next" | "gap" | "stale";

export class SequenceTracker {
  private last = 0;
  gaps = 0;
  missed = 0;

  /** Classifies `seq`; "stale" (a repeat or an older number) should be ignored. */
  accept(seq: number): SeqVerdict {
    if (this.last === 0) {
      this.last = seq;
      if (seq === 1) return "first";
      this.gaps += 1;
      this.missed += seq - 1;
      return "gap";
    }
    if (seq <= this.last) return "stale";
    const expected = this.last + 1;
    this.last = seq;
    if (seq === expected) return "next";
    this.gaps += 1;
    this.missed += seq - expected;
    return "gap";
  }

  /** Called when the subscription starts over (a new connection): the next message is seq 1. */
  reset(): void {
    this.last = 0;
  }

  get lastSeq(): number {
    return this.last;
  }
}
