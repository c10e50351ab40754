-- migrate: no-transaction
-- SceneScout schema, version 22: words near a point read a few rows, not every event of the place
-- and window (issue 14).
--
-- A search for words near a point over a week read each of the place's events in the window (600
-- rows at 1M events for 25 km around a city centre) to check its text, one heap page each: most of
-- that page's Postgres time, and most of its buffer reads when the table is larger than
-- shared_buffers. Postgres can intersect two indexes before reading rows (a BitmapAnd): the cell
-- index (0020) for the place and the week keys index (0017) for the words, a few dozen rows. But
-- the planner never intersects two partial indexes with the same predicate (it counts the
-- predicate as a condition both use, so the second adds nothing), and both were partial on
-- `merged_into IS NULL`. This is 0020's index without the predicate: `merged_into` is carried
-- instead, so a read in start order (cellBound) still checks it in the index, and merged rows
-- are few. 0020's index is dropped once this one is built.
--
-- Built CONCURRENTLY, outside a transaction (see 0013); a re-run after an interruption is
-- harmless (an INVALID leftover: DROP INDEX it, migrate again). DROP INDEX CONCURRENTLY waits
-- for the queries reading the old index instead of blocking the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_cell_starts_all_idx ON events
  (geo_cell(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude)), starts_at)
  INCLUDE (latitude, longitude, city_latitude, city_longitude, merged_into);
DROP INDEX CONCURRENTLY IF EXISTS events_cell_starts_idx;
