import type { Lang } from "./strings";

export type Texts = Record<Lang, string>;

export interface Station {
  id: string;
  name: string;
  district: string;
  region_id: string;
  region_name: string;
  registered_voters: number;
}

export interface Me {
  monitor: { id: string; name: string; language: Lang | null };
  stations: Station[];
  server_time: string;
}

/** A coordinator's message (GET /v1/me/messages), in the monitor's language when translated. */
export interface Message {
  id: string;
  sent_at: string;
  language: Lang;
  text: string;
}

export interface Forms {
  phases: { id: string; texts: Texts }[];
  checklist: { id: string; phase: string; texts: Texts; critical: boolean }[];
  violations: { id: string; texts: Texts }[];
  contestants: { code: string; name: string }[];
  protocol_checks: Record<string, Texts>;
}

export interface Protocol {
  registered_voters: number;
  ballots_received: number;
  ballots_issued: number;
  ballots_cast: number;
  valid_ballots: number;
  invalid_ballots: number;
  home_ballots_issued?: number;
  votes: Record<string, number>;
  copy_received: boolean;
  evidence_ids?: string[];
}

export type Body =
  | { checklist: { phase: string; answers: Record<string, boolean>; note?: string } }
  | { turnout: { ballots_issued: number; home_voting_applications: number } }
  | { incident: { violation: string; description: string; evidence_ids?: string[] } }
  | { protocol: Protocol };

export type Report = { id: string; station_id: string; observed_at: string } & Body;

export interface ServerError {
  field: string;
  code: string;
  message: string;
}

export type State = "waiting" | "sent" | "refused";

/** One report on the phone, from the moment it is saved until ingest has it (and after). */
export interface OutboxEntry {
  id: string; // the report's id, made on the phone: resending it is idempotent
  report: Report;
  photos: string[]; // ids (SHA-256) of photos in the photos store the report names
  state: State;
  attempts: number;
  nextAt: number; // epoch ms of the next try while waiting
  createdAt: number;
  sentAt?: number;
  errors?: ServerError[];
}

export interface StoredPhoto {
  id: string; // SHA-256 of `blob`'s bytes, as POST /v1/evidence names it
  blob: Blob;
  station_id: string;
  uploaded: boolean;
}
