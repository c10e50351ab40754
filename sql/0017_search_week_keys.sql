-- migrate: no-transaction
-- SceneScout schema, version 17: text search without a place reads its candidates a week at a
-- time (issue 14).
--
-- With 0016 a query for two common words reads every matching event's row (5,000–10,000 at
-- 1M events) to sort them by start, and shows the first 50. Here each event is indexed under
-- each prefix of its words (as in 0016) joined to the week it starts in ('market 1400'), so
-- "these words, starting in that week" is a containment test of exact entries whose posting
-- lists hold only that week's events (a word's entry alone would be read whole for every week
-- asked). The query asks the weeks in order from where the page starts and stops when it has a
-- page: it reads the rows of one or two weeks instead of all of them
-- (src/lib/db/queries/events.ts). Rare words, which leave the first weeks short, and the other
-- orders still use 0016's index. Expression index again: nothing is backfilled and writes are
-- unchanged (a changed start moves the event to its new week, as any indexed column does). About
-- the size of 0016's index (one entry per prefix of each event, as there). No function body ends a
-- line with a semicolon (statements are split there, see 0013).

-- The week an instant falls in: whole weeks since Monday 2000-01-03 00:00 UTC. The query computes
-- the same number (searchWeek in src/lib/db/queries/events.ts).
CREATE OR REPLACE FUNCTION search_week(t TIMESTAMPTZ) RETURNS INT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT floor(extract(epoch FROM t - TIMESTAMPTZ '2000-01-03 00:00:00+00') / 604800)::int $$;

-- search_prefixes(t) (0016), each followed by a space and the start's week ('market 1400'; no
-- word holds a space). Written out rather than calling search_prefixes and search_week: Postgres
-- 17 (PGlite) builds indexes with search_path = pg_catalog, where our schema's functions are not
-- found by name.
CREATE OR REPLACE FUNCTION search_week_keys(t TEXT, starts TIMESTAMPTZ) RETURNS TEXT[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(DISTINCT left(w.lexeme, n) || ' ' || floor(extract(epoch FROM starts - TIMESTAMPTZ '2000-01-03 00:00:00+00') / 604800)::int)
          FROM unnest(to_tsvector('simple'::regconfig, lower(public.unaccent('public.unaccent'::regdictionary, t)))) AS w,
               generate_series(1, least(length(w.lexeme), 20)) AS n $$;

-- The user's words as search_words (0016) gives them, each followed by a space and the week asked.
-- NULL when the text holds no word (then nothing matches, as with search_words).
-- PARALLEL UNSAFE on purpose: a statement naming it gets no parallel workers. The planner cannot
-- estimate week entries (it takes 0.5 % of the table for each word) and would start workers for
-- a page that reads a few dozen rows, 100 ms and more to launch on a busy machine. The function is
-- evaluated once, when the query is planned (its arguments are constants).
CREATE OR REPLACE FUNCTION search_week_words(t TEXT, week INT) RETURNS TEXT[]
  LANGUAGE sql IMMUTABLE PARALLEL UNSAFE
  AS $$ SELECT array_agg(left(w.lexeme, 20) || ' ' || week)
          FROM unnest(to_tsvector('simple'::regconfig, lower(public.unaccent('public.unaccent'::regdictionary, t)))) AS w $$;

CREATE INDEX CONCURRENTLY IF NOT EXISTS events_search_week_keys ON events
  USING gin (search_week_keys(search_text, starts_at))
  WHERE merged_into IS NULL;
