-- SceneScout schema, version 12: what geo, text and time search need (issue 14). Runs unchanged
-- on Postgres and PGlite; the indexes themselves come in 0013, built without long locks.
--
-- Extensions go into `public` explicitly: extensions are per database, and each test (and any
-- deployment using SCENESCOUT_SCHEMA) keeps its tables in its own schema, which is dropped
-- with everything in it. `public` is on every connection's search_path (src/lib/db/connect.ts).
-- PGlite loads the same three as bundled extensions when it opens.
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS cube SCHEMA public;

-- Text as search compares it: lower case, accents removed ('Café' → 'cafe'). unaccent() itself
-- is only STABLE (its dictionary could change), so an index needs this IMMUTABLE wrapper that
-- names the dictionary; the query folds the user's text with the same function. Indexing the
-- expression leaves every existing row as it is (no backfill rewriting the catalogue).
CREATE OR REPLACE FUNCTION search_fold(t TEXT) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;

-- The user's words as a full-text query of word prefixes ('jazz brunch' → 'jazz':* & 'brunch':*),
-- split by the same parser that indexes the stored text, so both see the same words. NULL when
-- the text holds no word at all (only punctuation).
CREATE OR REPLACE FUNCTION search_words_query(t TEXT) RETURNS tsquery
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsquery('simple'::regconfig, string_agg(quote_literal(w.lexeme) || ':*', ' & '))
          FROM unnest(to_tsvector('simple'::regconfig, search_fold(t))) AS w $$;

-- An event as a box in (latitude, longitude, time): a point in space that lasts from its start
-- to its end (its start when it has none). One GiST index over these boxes answers "near a
-- point, overlapping a time range" as one R-tree walk. Time is in units of 20 days, so a day
-- weighs about as much as 5.5 km when the tree groups events. Without coordinates there is no
-- box (NULL).
CREATE OR REPLACE FUNCTION event_span(lat DOUBLE PRECISION, lng DOUBLE PRECISION, starts TIMESTAMPTZ, ends TIMESTAMPTZ)
  RETURNS public.cube
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN lat IS NULL OR lng IS NULL OR starts IS NULL THEN NULL ELSE public.cube(
          ARRAY[lat, lng, extract(epoch FROM starts - TIMESTAMPTZ '2000-01-01 00:00:00+00') / 1728000],
          ARRAY[lat, lng, extract(epoch FROM coalesce(ends, starts) - TIMESTAMPTZ '2000-01-01 00:00:00+00') / 1728000]) END $$;

-- Every city a record was discovered for. city_id stays the first city (it no longer flips to
-- whichever city discovered the record last); city_ids gathers all of them. NULL on rows
-- written before this version means ARRAY[city_id].
ALTER TABLE raw_events ADD COLUMN IF NOT EXISTS city_ids TEXT[];
ALTER TABLE events ADD COLUMN IF NOT EXISTS city_ids TEXT[];
-- Where an event without coordinates is placed: the centre of the (first) city it was discovered
-- for, so it is found near that city and in its area, through the same index as located events
-- (its JSON says locationApproximate). Its other cities find it through city_ids. Set only for
-- events without coordinates, which are few: filling them in touches few rows.
ALTER TABLE events ADD COLUMN IF NOT EXISTS city_latitude DOUBLE PRECISION;
ALTER TABLE events ADD COLUMN IF NOT EXISTS city_longitude DOUBLE PRECISION;
UPDATE events e SET city_ids = coalesce(e.city_ids, ARRAY[e.city_id]), city_latitude = c.latitude, city_longitude = c.longitude
  FROM cities c
 WHERE c.id = e.city_id AND e.latitude IS NULL AND e.city_latitude IS NULL;
