-- migrate: no-transaction
-- SceneScout schema, version 25: the cells of each category, in start order (issue 14).
--
-- A city (or a point) with a category, in start order, read every match of its window from the
-- category's R-tree (0019) and sorted them for one page: the 205 music events of New York's next
-- 30 days at 1M events, about ten times as many at 10M (59.8 ms p99 there, against a goal of 50).
-- This is 0024's cell index with the category first: the walk that finds how far a page reaches
-- (cellBound in src/lib/db/queries/events-reach.ts) reads the category's entries of the place's
-- cells in the index alone, and the page then reads about a page of rows up to that reach, however
-- large the catalogue. The columns it includes are 0024's, for the same filters on the row.
--
-- Built CONCURRENTLY, outside a transaction (see 0013); a re-run after an interruption is
-- harmless (an INVALID leftover: DROP INDEX it, migrate again).
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_category_cell_starts_idx ON events
  (category, geo_cell(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude)), starts_at)
  INCLUDE (latitude, longitude, city_latitude, city_longitude, merged_into, is_free, status, updated_at, parent_id);
