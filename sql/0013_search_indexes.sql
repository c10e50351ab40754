-- migrate: no-transaction
-- SceneScout schema, version 13: the search indexes (issue 14), built with CREATE INDEX
-- CONCURRENTLY so a running catalogue keeps taking writes while they build. The marker above
-- makes the migrator run this file outside a transaction, one statement at a time (Postgres
-- refuses CONCURRENTLY inside one); on PGlite, which has one connection, they run plainly.
-- IF NOT EXISTS makes a re-run after an interruption harmless. (A build interrupted midway
-- leaves an INVALID index: DROP INDEX it and migrate again.)

-- Near a point (or in a city's area) during a time range: one walk of an R-tree over
-- (latitude, longitude, time) boxes (see event_span in 0012). An event without coordinates is
-- placed at its city's centre.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_span_gist ON events
  USING gist (event_span(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude), starts_at, ends_at))
  WHERE merged_into IS NULL;

-- Words in title, venue or city, whatever their case and accents: the folded text's words in a
-- full-text index ('simple': no stemming, no stop words), which finds the events holding a word
-- starting with each word of the query ('jaz' finds Jazz) by intersecting short posting lists.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_search_words ON events
  USING gin (to_tsvector('simple'::regconfig, search_fold(search_text)))
  WHERE merged_into IS NULL;

-- Events without coordinates discovered for several cities, by every one of them.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_unlocated_cities_idx ON events
  USING gin (city_ids)
  WHERE merged_into IS NULL AND latitude IS NULL AND cardinality(city_ids) > 1;

-- Time ranges match the events that overlap them. Events lasting at most a day are found by
-- start (events_starts_idx, from a day before the range); the few that last longer by end.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_long_ends_idx ON events (ends_at)
  WHERE merged_into IS NULL AND ends_at - starts_at > INTERVAL '1 day';

-- Filters that narrow the default start-ordered walk.
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_updated_idx ON events (updated_at) WHERE merged_into IS NULL;
