-- migrate: no-transaction
-- SceneScout schema, version 18: drops the words index of 0013, which the event search no longer
-- reads (issue 14). It served prefix entries ('market':*) until 0016 replaced them with exact
-- ones (events_search_prefixes, kept: rare words and the other orders read it, 0017's week keys
-- serve common words in start order). The query still checks its few ordered candidates with
-- to_tsvector(...) @@ search_words_query(...) on the row, which needs no index. DROP INDEX
-- CONCURRENTLY waits for the queries reading it instead of blocking the table; IF EXISTS makes a
-- re-run harmless.
DROP INDEX CONCURRENTLY IF EXISTS events_search_words;
