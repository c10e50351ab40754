-- migrate: no-transaction
-- SceneScout schema, version 19: category and place/time in one index (issue 14). "Music in this
-- city in the next 30 days" used to walk events_span_gist for every event of the area and
-- window (about 2,500 at 1M events) and visit each row's heap page to check its category, to
-- keep one in eight. This GiST leads with the category (btree_gist gives text its GiST
-- operators), so the walk yields only that category's events and the heap visits drop with
-- it. `category = ANY(...)` with several categories is a bitmap scan per category.
--
-- Like 0012's extensions, btree_gist goes into `public`; PGlite loads it when it opens
-- (src/lib/db/pglite-options.ts). Built CONCURRENTLY, outside a transaction (see 0013), and a
-- re-run after an interruption is harmless (an INVALID leftover: DROP INDEX it, migrate again).
CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public;

CREATE INDEX CONCURRENTLY IF NOT EXISTS events_category_span_gist ON events
  USING gist (category, event_span(coalesce(latitude, city_latitude), coalesce(longitude, city_longitude), starts_at, ends_at))
  WHERE merged_into IS NULL;
