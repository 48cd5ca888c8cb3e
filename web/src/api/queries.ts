/** The GraphQL documents the dashboard sends (field names from services/api/schema.graphql). */

const REGION_STATS = `stationsTotal stationsReporting stationsSilent registeredVoters ballotsIssued turnoutPct
  turnoutRatePpPerHour homeVotingPct incidentsPer100Stations incidentsTotal openAlerts updatedAt`;

const STATION_ROW = `id name regionId status
  stats { ballotsIssued registeredVoters turnoutPct homeVotingPct openAlerts reportsProcessed lastReportAt silent }`;

const ALERT = `id rule severity state stationId regionId value threshold message reportIds openedAt updatedAt
  resolvedAt confidence version texts { key params }`;

export const OVERVIEW = `query Overview {
  overview { national { ${REGION_STATS} } openAlerts { info warning critical total } }
}`;

export const OVERVIEW_LIVE = `subscription OverviewLive {
  overviewUpdated { seq revision overview { national { ${REGION_STATS} } openAlerts { info warning critical total } } }
}`;

export const REGIONS = `query Regions { defaultTimezone regions { id name kind timezone stationCount stats { ${REGION_STATS} } } }`;

export const REGIONS_LIVE = `subscription RegionsLive {
  regionUpdated { seq revision region { id stats { ${REGION_STATS} } } }
}`;

export const REGION_SERIES = `query RegionSeries($region: ID!, $bucket: Int!) {
  turnoutSeries(region: $region, bucketMinutes: $bucket) { at ballotsIssued turnoutPct }
}`;

export const STATIONS_PAGE = `query Stations($region: ID, $status: StationStatus, $alerts: Boolean, $violation: String, $no: String,
    $after: String, $first: Int) {
  stations(region: $region, status: $status, hasOpenAlerts: $alerts, violation: $violation, checklistNo: $no, first: $first,
    after: $after) {
    nodes { ${STATION_ROW} }
    pageInfo { endCursor hasNextPage }
  }
}`;

export const STATIONS_LIVE = `subscription StationsLive($region: ID, $ids: [ID!]) {
  stationUpdated(region: $region, ids: $ids) { seq revision station { ${STATION_ROW} } }
}`;

export const STATION_DETAIL = `query Station($id: ID!, $bucket: Int!) {
  station(id: $id) {
    id name district regionId registeredVoters status
    region { id name }
    stats { ballotsIssued registeredVoters turnoutPct turnoutRatePpPerHour homeVotingApplications homeVotingPct
      incidentsTotal incidentsRecent lastReportAt openAlerts protocol reportsProcessed silent updatedAt }
  }
  turnoutSeries(station: $id, bucketMinutes: $bucket) { at ballotsIssued turnoutPct }
  alerts(station: $id, first: 50) { nodes { ${ALERT} } }
}`;

/** Asked separately: only coordinators may read monitors; for other roles this part is simply absent. */
export const STATION_MONITORS = `query StationMonitors($id: ID!) {
  station(id: $id) { monitors { id displayName active } }
}`;

export const ALERTS = `query Alerts($state: AlertState, $severity: Severity, $station: ID, $first: Int) {
  alerts(state: $state, severity: $severity, station: $station, first: $first) { nodes { ${ALERT} } }
}`;

export const ALERTS_LIVE = `subscription AlertsLive($min: Severity!) {
  alertRaised(minSeverity: $min) { seq revision transition alert { ${ALERT} } }
}`;

export const ACKNOWLEDGE = `mutation Ack($id: ID!) { acknowledgeAlert(id: $id) { ${ALERT} } }`;
export const RESOLVE = `mutation Resolve($id: ID!) { resolveAlert(id: $id) { ${ALERT} } }`;

export const QUERY_FIELDS = `query Fields { __type(name: "Query") { fields { name } } }`;

const INTEGER_TEST = "observed expected std excess z pValue";

/** Live forensics of a region, or of the nation with `region` null (every role, public included). */
export const FORENSICS = `query Forensics($region: ID) {
  forensics(region: $region) {
    region computedAt stations tested leader turnoutPct leaderSharePct significant thresholdZ minStations method
    screen regionsCounted regionsAboveThreshold { region tested z screen }
    integer { either { ${INTEGER_TEST} } turnout { ${INTEGER_TEST} } leaderShare { ${INTEGER_TEST} } }
    fingerprint { bins counts }
  }
}`;

/** Asked only when introspection is refused: a validation error means the API has no forensics yet. */
export const FORENSICS_PROBE = `query ForensicsProbe { forensics { computedAt } }`;

/**
 * Findings nationally and per region (every role; counted in stations, shares of the observed), in
 * two documents: every region's violations and questions in one would cost more than a public key
 * may ask (test_dashboard_documents.py checks both against that limit).
 */
export const FINDINGS = `query Findings {
  findings {
    national { regionId stationsTotal stationsObserved observedShare
      violations { violation stationsReported stationsCorroborated share }
      checklist { phase question critical stationsAnswered stationsAnsweredNo shareNo } }
    regions { regionId stationsTotal stationsObserved violations { violation stationsReported share } }
  }
}`;

export const FINDINGS_CHECKLIST = `query FindingsChecklist {
  findings { regions { regionId checklist { phase question stationsAnswered stationsAnsweredNo shareNo } } }
}`;

/** Findings as they change: each changed region's row, then the national one (regionId null). */
export const FINDINGS_LIVE = `subscription FindingsLive {
  findingsUpdated { seq findings { regionId stationsTotal stationsObserved observedShare
    violations { violation stationsReported stationsCorroborated share }
    checklist { phase question critical stationsAnswered stationsAnsweredNo shareNo } } }
}`;

const REVIEW_ITEM = `kind id regionId stationId type at priority state decidedBy note claimedBy
  callBack callBackBy callBackAt callBackNote`;

/** Coordinators and above (docs/desk.md): the queue, claims, decisions and call-back outcomes. */
export const REVIEW_QUEUE = `query ReviewQueue($states: [VerificationState!], $first: Int) {
  reviewQueue(states: $states, first: $first) { ${REVIEW_ITEM} }
}`;

export const CLAIM_REVIEW_ITEM = `mutation ClaimReviewItem($kind: ReviewKind!, $id: ID!) {
  claimReviewItem(kind: $kind, id: $id) { ${REVIEW_ITEM} }
}`;

export const VERIFY = `mutation Verify($kind: ReviewKind!, $id: ID!, $state: VerificationState!, $note: String!) {
  verify(kind: $kind, id: $id, state: $state, note: $note) { ${REVIEW_ITEM} }
}`;

export const RECORD_CALL_BACK = `mutation RecordCallBack($kind: ReviewKind!, $id: ID!, $outcome: CallBackOutcome!, $note: String!) {
  recordCallBack(kind: $kind, id: $id, outcome: $outcome, note: $note) { ${REVIEW_ITEM} }
}`;

/** Coordinators and above: review items as any desk claims, calls back or decides them, within the key's regions. */
export const REVIEW_LIVE = `subscription ReviewLive {
  reviewUpdated { seq item { ${REVIEW_ITEM} } }
}`;

/** Partner and above: a station's protocols, to show what a correction replaced. */
export const STATION_PROTOCOLS = `query StationProtocols($id: ID!) {
  station(id: $id) { protocolVersions { reportId observedAt receivedAt monitorId figures verification current } }
}`;
