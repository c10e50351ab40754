-- migrate: no-transaction
-- SceneScout schema, version 24: the cell index carries the filters on the row (issue 14).
--
-- A place in start order first finds how far a page reaches by walking its cells in start order
-- (cellBound in src/lib/db/queries/events-reach.ts). With a filter on the row that the index did
-- not carry (`free`, `status`, `updated_since`, `exclude=children`), each entry meant a heap page,
-- and where matches are rare the walk read every later event of the cells: `free=true` from now
-- in a city's area with none, 25,000 heap pages at 1M (173 ms a page). This is 0022's index with
-- those columns included as well, so the walk checks them in the index (an index-only scan); 0022's
-- is dropped once this one is built. Its keys, and so every plan that reads it, are 0022's.
--
-- Built CONCURRENTLY, outside a transaction (see 0013); a re-run after an interruption is
-- harmless (an INVALID leftover: DROP INDEX it, migrate again). DROP INDEX CONCURRENTLY waits
-- for the queries reading the old index instead of blocking the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_cell_starts_rows_idx ON events
  (geo_cell(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude)), starts_at)
  INCLUDE (latitude, longitude, city_latitude, city_longitude, merged_into, is_free, status, updated_at, parent_id);
DROP INDEX CONCURRENTLY IF EXISTS events_cell_starts_all_idx;
