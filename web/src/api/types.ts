/** The shapes the dashboard reads from the API (a subset of services/api/schema.graphql). */

export type Severity = "INFO" | "WARNING" | "CRITICAL";
export type StationStatus = "REPORTING" | "SILENT" | "NO_DATA";
export type Role = "public" | "partner" | "analyst" | "coordinator" | "admin";

export interface RegionStats {
  stationsTotal: number;
  stationsReporting: number;
  stationsSilent: number;
  registeredVoters: number;
  ballotsIssued: number;
  turnoutPct: number;
  turnoutRatePpPerHour: number;
  homeVotingPct: number;
  incidentsPer100Stations: number;
  incidentsTotal: Record<string, number>;
  openAlerts: number;
  updatedAt: string;
}

export interface AlertCounts {
  info: number;
  warning: number;
  critical: number;
  total: number;
}

export interface Overview {
  national: RegionStats | null;
  openAlerts: AlertCounts;
}

export interface Region {
  id: string;
  name: string;
  kind: string;
  /** IANA zone: the registry's, else the election's. */
  timezone: string;
  stationCount: number;
  stats: RegionStats | null;
}

export interface StationRowStats {
  ballotsIssued: number;
  registeredVoters: number;
  turnoutPct: number;
  homeVotingPct: number;
  openAlerts: number;
  reportsProcessed: number;
  lastReportAt: string | null;
  silent: boolean;
}

export interface StationRow {
  id: string;
  name: string;
  regionId: string;
  status: StationStatus;
  stats: StationRowStats | null;
}

/** One sentence of an alert's text: a message-catalog key and its parameters (src/strings/catalog.ts). */
export interface AlertText {
  key: string;
  params: Record<string, number | string>;
}

export interface Alert {
  id: string;
  rule: string;
  severity: Severity;
  state: "OPEN" | "RESOLVED";
  stationId: string;
  regionId: string;
  value: number;
  threshold: number;
  message: string;
  reportIds: string[];
  openedAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  confidence: number;
  version: number;
  texts: AlertText[];
}

export interface TurnoutPoint {
  at: string;
  ballotsIssued: number;
  turnoutPct: number;
}

const RANK: Record<Role, number> = { public: 0, partner: 1, analyst: 2, coordinator: 3, admin: 4 };

/** Whether `role` includes what `needed` may read (roles are ordered, each includes the ones before). */
export function roleIncludes(role: string | null, needed: Role): boolean {
  return role !== null && role in RANK && RANK[role as Role] >= RANK[needed];
}

/** One integer-percentage test (services/api/types/forensics.py IntegerTest). */
export interface IntegerTest {
  observed: number;
  expected: number;
  std: number;
  excess: number;
  z: number;
  pValue: number;
}

/** A scope under the region screen's rule (services/forensics/region_screen.py), the same in the CLI. */
export type ScreenStatus = "FLAGGED" | "TOO_FEW_TESTED" | "BELOW_THRESHOLD";

/** One region at or above the threshold, as the national figures list it. */
export interface RegionScreen {
  region: string;
  tested: number;
  z: number;
  screen: ScreenStatus;
}

/** Live forensic figures of a region or (region null) the nation. */
export interface Forensics {
  region: string | null;
  computedAt: string;
  stations: number;
  tested: number;
  leader: string | null;
  turnoutPct: number;
  leaderSharePct: number;
  integer: { either: IntegerTest; turnout: IntegerTest; leaderShare: IntegerTest };
  significant: boolean;
  screen: ScreenStatus;
  /** Nationally: regions at z >= thresholdZ (flagged, or too few protocols tested), highest z first. */
  regionsAboveThreshold: RegionScreen[];
  /** Nationally: regions with protocols counted; null for a region. */
  regionsCounted: number | null;
  thresholdZ: number;
  minStations: number;
  method: string;
  fingerprint: { bins: number; counts: number[][] };
}

export interface ViolationFinding {
  violation: string;
  stationsReported: number;
  stationsCorroborated: number;
  share: number;
}

export interface ChecklistFinding {
  phase: string;
  question: string;
  critical: boolean;
  stationsAnswered: number;
  stationsAnsweredNo: number;
  shareNo: number;
}

/** One region's findings (regionId null: the nation, or a scoped key's regions together). */
export interface RegionFindings {
  regionId: string | null;
  stationsTotal: number;
  stationsObserved: number;
  observedShare: number;
  violations: ViolationFinding[];
  checklist: ChecklistFinding[];
}

/** What a row of the findings matrix needs (regions are read with fewer fields than the nation). */
export interface FindingsRow {
  regionId: string | null;
  stationsTotal: number;
  stationsObserved: number;
  violations: Pick<ViolationFinding, "violation" | "stationsReported" | "share">[];
  checklist: Pick<ChecklistFinding, "phase" | "question" | "stationsAnswered" | "stationsAnsweredNo" | "shareNo">[];
}

export interface Findings {
  national: RegionFindings;
  regions: FindingsRow[];
}
