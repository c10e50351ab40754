-- migrate: no-transaction
-- SceneScout schema, version 21: the events lasting over a day in an R-tree of their own
-- (issue 14). events_span_gist (0013) holds every event as a box in (latitude, longitude, time);
-- the boxes of the few events lasting weeks stretch along time and make its pages overlap, so
-- that a walk for a week near a point, or for a single instant, visits hundreds of its pages for
-- a hundred rows. A place in start order now reads the events that start from a day before
-- `from` through the cell index (0020), and only those lasting over a day that started earlier
-- and are still on at `from` through an R-tree: this one, which holds only such events (a tenth
-- of the catalogue or less) and is asked for one instant (src/lib/db/queries/events-reach.ts,
-- cellRead). Its predicate is events_long_ends_idx's, written the same way in the query.
--
-- Built CONCURRENTLY, outside a transaction (see 0013); a re-run after an interruption is
-- harmless (an INVALID leftover: DROP INDEX it, migrate again).
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_long_span_gist ON events
  USING gist (event_span(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude), starts_at, ends_at))
  WHERE merged_into IS NULL AND ends_at - starts_at > INTERVAL '1 day';
