/** The review queue's pure parts: its items, keyboard shortcuts and what a decision leaves (docs/desk.md). */

export type ReviewKind = "REPORT" | "ALERT";
export type VerificationState = "UNVERIFIED" | "VERIFIED" | "REJECTED" | "QUARANTINED";
export type CallBackOutcome = "CONFIRMED" | "CORRECTED" | "RETRACTED" | "NO_ANSWER" | "UNREACHABLE";
export const OUTCOMES: readonly CallBackOutcome[] = ["CONFIRMED", "CORRECTED", "RETRACTED", "NO_ANSWER", "UNREACHABLE"];

export interface ReviewItem {
  kind: ReviewKind;
  id: string;
  regionId: string;
  stationId: string;
  type: string;
  at: string;
  priority: number;
  state: VerificationState;
  decidedBy: string | null;
  note: string;
  claimedBy: string | null;
  callBack: CallBackOutcome | null;
  callBackBy: string | null;
  callBackAt: string | null;
  callBackNote: string;
}

export type Action =
  | { type: "move"; by: 1 | -1 }
  | { type: "decide"; state: VerificationState }
  | { type: "claim" }
  | { type: "refresh" };

/** Keys of the queue (outside text fields): j/k or arrows move, c claims, v verifies, x rejects, h holds back, r re-reads. */
export const SHORTCUTS: Record<string, Action> = {
  j: { type: "move", by: 1 },
  ArrowDown: { type: "move", by: 1 },
  k: { type: "move", by: -1 },
  ArrowUp: { type: "move", by: -1 },
  c: { type: "claim" },
  v: { type: "decide", state: "VERIFIED" },
  x: { type: "decide", state: "REJECTED" },
  h: { type: "decide", state: "QUARANTINED" },
  r: { type: "refresh" },
};

/** The action for a key press, or null (modifier keys held: the browser's own shortcut). */
export function shortcut(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): Action | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  return SHORTCUTS[e.key] ?? null;
}

/** The selected index after moving `by`, kept within the list (-1 for an empty one). */
export function move(index: number, length: number, by: number): number {
  if (length === 0) return -1;
  return Math.min(length - 1, Math.max(0, index + by));
}

export const itemKey = (i: Pick<ReviewItem, "kind" | "id">): string => `${i.kind}:${i.id}`;

/**
 * The queue after a decision on `decided`: an item whose new state is one the queue shows stays (updated),
 * any other leaves it; the selection stays on the same position, so the next item comes up.
 */
export function afterDecision(
  items: readonly ReviewItem[],
  decided: ReviewItem,
  shown: readonly VerificationState[],
  selected: number,
): { items: ReviewItem[]; selected: number } {
  const key = itemKey(decided);
  const kept = shown.includes(decided.state)
    ? items.map((i) => (itemKey(i) === key ? decided : i))
    : items.filter((i) => itemKey(i) !== key);
  return { items: kept, selected: move(selected, kept.length, 0) };
}

/** The queue's order (the server's): priority, then time, kind and id. */
function before(a: ReviewItem, b: ReviewItem): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  const at = Date.parse(a.at) - Date.parse(b.at);
  if (at !== 0) return at < 0;
  if (a.kind !== b.kind) return a.kind.toLowerCase() < b.kind.toLowerCase();
  return a.id < b.id;
}

/**
 * The queue after a live update (another desk claimed, called back or decided `changed`, or this one did):
 * an item in a state the queue shows is replaced, or put in its place in the queue's order; any other leaves.
 * The selection stays on the item it was on, or on the same position when that item left.
 */
export function applyUpdate(
  items: readonly ReviewItem[],
  changed: ReviewItem,
  shown: readonly VerificationState[],
  selected: number,
): { items: ReviewItem[]; selected: number } {
  const key = itemKey(changed);
  const current = items[selected];
  const rest = items.filter((i) => itemKey(i) !== key);
  let next = rest;
  if (shown.includes(changed.state)) {
    const at = rest.findIndex((i) => before(changed, i));
    next = at < 0 ? [...rest, changed] : [...rest.slice(0, at), changed, ...rest.slice(at)];
  }
  const still = current ? next.findIndex((i) => itemKey(i) === itemKey(current)) : -1;
  return { items: next, selected: still >= 0 ? still : move(selected, next.length, 0) };
}

export interface ProtocolVersion {
  reportId: string;
  observedAt: string;
  receivedAt: string;
  monitorId: string | null;
  figures: Record<string, unknown>;
  verification: VerificationState;
  current: boolean;
}

export interface Correction {
  current: ProtocolVersion;
  previous: ProtocolVersion;
  /** The figures that differ: [field, before, after]. */
  changed: [string, unknown, unknown][];
}

/** The correction a station's protocols show: the one counting and the version before it, or null with one version. */
export function correction(versions: readonly ProtocolVersion[]): Correction | null {
  const at = versions.findIndex((v) => v.current);
  if (at < 0 || at + 1 >= versions.length) return null;
  const current = versions[at];
  const previous = versions[at + 1];
  const fields = [...new Set([...Object.keys(previous.figures), ...Object.keys(current.figures)])].sort();
  const changed: [string, unknown, unknown][] = fields
    .filter((f) => JSON.stringify(previous.figures[f]) !== JSON.stringify(current.figures[f]))
    .map((f) => [f, previous.figures[f], current.figures[f]]);
  return { current, previous, changed };
}
