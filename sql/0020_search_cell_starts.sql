-- migrate: no-transaction
-- SceneScout schema, version 20: a place in start order, read in start order (issue 14).
-- "What's on near me, soonest first" needs only the first page of the area's events, but the
-- R-tree (0013) holds place and time together and yields them in no useful order: the first
-- page's reach was found by a KNN walk along the R-tree's time axis (cube's ~>), which visits
-- hundreds of index pages for a page of rows. This B-tree keys each event by a 0.25° grid cell
-- of its point (its own coordinates, else its city's centre, as event_span places it) and its
-- start, and carries the coordinates: a search reads, for each cell its circle touches, the
-- cell's events in start order (a merge of index-only scans), checks each one's distance in
-- the index, and stops after a page.
--
-- geo_cell's grid is GEO_CELL_DEG in src/lib/geo.ts: change both or neither. Built CONCURRENTLY,
-- outside a transaction (see 0013); a re-run after an interruption is harmless (an INVALID
-- leftover: DROP INDEX it, migrate again).
CREATE OR REPLACE FUNCTION geo_cell(lat DOUBLE PRECISION, lng DOUBLE PRECISION)
  RETURNS INTEGER
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor((lat + 90) * 4)::int * 1440 + mod(floor((lng + 180) * 4)::int, 1440) $$;

CREATE INDEX CONCURRENTLY IF NOT EXISTS events_cell_starts_idx ON events
  (geo_cell(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude)), starts_at)
  INCLUDE (latitude, longitude, city_latitude, city_longitude)
  WHERE merged_into IS NULL;
