-- migrate: no-transaction
-- SceneScout schema, version 18: the two text indexes the event search no longer reads (issue 14).
-- events_search_words (0013) served prefix entries ('market':*) until 0016; events_search_prefixes
-- (0016) holds the same entries as 0017's events_search_keys without the week. The query checks
-- its few ordered candidates with to_tsvector(...) @@ search_words_query(...) on the row, which
-- needs no index. DROP INDEX CONCURRENTLY waits for the queries using them instead of blocking
-- the table; IF EXISTS makes a re-run harmless. The functions stay: search_words and
-- search_words_query are what the query calls, search_prefixes is kept for whoever reads it.
DROP INDEX CONCURRENTLY IF EXISTS events_search_words;
DROP INDEX CONCURRENTLY IF EXISTS events_search_prefixes;
