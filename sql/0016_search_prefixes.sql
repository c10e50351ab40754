-- migrate: no-transaction
-- SceneScout schema, version 16: text search without a place reads exact index entries (issue 14).
--
-- The words index of 0013 answers "a word starting with each query word" with prefix entries
-- ('market':*), which GIN serves by gathering every posting of every matching word into a
-- bitmap before intersecting them: tens of milliseconds for two common words at 1M events.
-- Here each event is indexed under every prefix of every word of its folded text
-- ('jazz' → j, ja, jaz, jazz), so the same question is an exact containment test whose
-- posting lists GIN intersects without reading them whole. Same words, same answers: a query
-- word is among an event's prefixes exactly when one of its words starts with it (words are
-- cut at 20 characters on both sides; the query checks the few candidates it returns with the
-- words index's own test, so a longer word still has to start a word of the event).
-- The functions split the text with the same parser as search_words_query (0012). The index is
-- an expression index: nothing is backfilled, writes need no change, and it builds
-- CONCURRENTLY while the catalogue keeps taking writes (about 75 s for 1M events here).
-- (Statements run one by one outside a transaction, see 0013; no function body ends a line
-- with a semicolon.)

-- The prefixes of every word of the folded text, up to 20 characters (a 2,000-character word
-- would otherwise bring 2,000 entries); NULL when it holds no word. The text is folded as
-- search_fold (0012) folds it, written out: Postgres 17 (PGlite) builds indexes with
-- search_path = pg_catalog, where an unqualified search_fold would not be found.
CREATE OR REPLACE FUNCTION search_prefixes(t TEXT) RETURNS TEXT[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(DISTINCT left(w.lexeme, n))
          FROM unnest(to_tsvector('simple'::regconfig, lower(public.unaccent('public.unaccent'::regdictionary, t)))) AS w,
               generate_series(1, least(length(w.lexeme), 20)) AS n $$;

-- The words of the user's text as search_prefixes splits them, cut at 20 characters: the index
-- then finds a superset (a longer word is checked whole by the query, with search_words_query).
-- NULL when the text holds no word.
CREATE OR REPLACE FUNCTION search_words(t TEXT) RETURNS TEXT[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(left(w.lexeme, 20)) FROM unnest(to_tsvector('simple'::regconfig, lower(public.unaccent('public.unaccent'::regdictionary, t)))) AS w $$;

CREATE INDEX CONCURRENTLY IF NOT EXISTS events_search_prefixes ON events
  USING gin (search_prefixes(search_text))
  WHERE merged_into IS NULL;
