/**
 * The eve-of-election readiness (pure), from a findings row: of the region's stations, how many
 * monitors reported ready, not ready (the critical readiness question answered no), or sent no
 * readiness checklist yet; and the readiness questions answered no.
 */
import type { FindingsRow } from "../api/types";

export const READY_QUESTION = "station_ready";

export interface Readiness {
  total: number;
  ready: number;
  notReady: number;
  notReported: number;
  /** Every other readiness question (checklists file order): stations answering no. */
  questions: { question: string; no: number }[];
}

export function readiness(row: FindingsRow): Readiness {
  const asked = row.checklist.filter((q) => q.phase === "readiness");
  const ready = asked.find((q) => q.question === READY_QUESTION);
  const answered = ready?.stationsAnswered ?? 0;
  const notReady = ready?.stationsAnsweredNo ?? 0;
  return {
    total: row.stationsTotal,
    ready: answered - notReady,
    notReady,
    notReported: Math.max(0, row.stationsTotal - answered),
    questions: asked.filter((q) => q.question !== READY_QUESTION).map((q) => ({ question: q.question, no: q.stationsAnsweredNo })),
  };
}
