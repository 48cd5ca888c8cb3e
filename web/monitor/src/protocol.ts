/**
 * The protocol arithmetic the aggregator checks (services/aggregator/domain/protocol_check.py),
 * shown while the monitor types: it warns, never blocks, since a falsified protocol is exactly
 * what must be sent. Names are the catalog's `protocol_inconsistent.*` texts (GET /v1/forms).
 */
import type { Protocol } from "./types";

export interface Problem {
  name: string;
  params: Record<string, number>;
}

export function protocolProblems(p: Protocol): Problem[] {
  const found: Problem[] = [];
  if (p.ballots_cast > p.ballots_issued) found.push({ name: "cast_exceeds_issued", params: { cast: p.ballots_cast, issued: p.ballots_issued } });
  if (p.ballots_received && p.ballots_issued > p.ballots_received)
    found.push({ name: "issued_exceeds_received", params: { issued: p.ballots_issued, received: p.ballots_received } });
  if (p.valid_ballots + p.invalid_ballots !== p.ballots_cast)
    found.push({ name: "valid_invalid_mismatch", params: { valid: p.valid_ballots, invalid: p.invalid_ballots, cast: p.ballots_cast } });
  const votes = Object.values(p.votes).reduce((a, b) => a + b, 0);
  if (Object.keys(p.votes).length && votes !== p.valid_ballots) found.push({ name: "votes_mismatch", params: { votes, valid: p.valid_ballots } });
  if (p.registered_voters && p.ballots_issued > p.registered_voters)
    found.push({ name: "issued_exceeds_registered", params: { issued: p.ballots_issued, registered: p.registered_voters } });
  return found;
}

export function fill(template: string, params: Record<string, number>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}
