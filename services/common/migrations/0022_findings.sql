-- Observer findings: per station, the distinct monitors per violation type and the latest answer
-- to each checklist question ("<phase>.<question>"), so regions count stations, not reports.
-- depends: 0021_evidence

ALTER TABLE station_stats
    ADD COLUMN violation_monitors jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN checklist          jsonb NOT NULL DEFAULT '{}';
