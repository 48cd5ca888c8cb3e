-- Each region's IANA time zone (NULL: the aggregator's polls zone): polls open and close, and
-- so silence, in the region's local time (services/common/stations.py, region_timezone).
-- depends: 0010_station_figures

ALTER TABLE regions ADD COLUMN timezone text;
