-- migrate: no-transaction
-- SceneScout schema, version 23: the events lasting over a day by the time they cover (issue 14).
-- Text without a place, from a given instant, reads first the events lasting over a day that
-- started before the first week it walks and are still on at `from` (weekWalk in
-- src/lib/db/queries/events-text.ts). They were found through the prefixes index (0016), which
-- for a common word holds a tenth of the catalogue: `q=jazz` over the next 7 days read 33,000
-- heap pages for 75 rows at 1M events (238 ms of Postgres CPU). This R-tree answers "on at this
-- instant" directly: the ~1,500 such events at 1M, whose words are then checked, cheap test first.
-- Time only, so events without coordinates are in it too; `greatest` keeps the range valid for
-- any row the expression meets. Its predicate is events_long_ends_idx's (0013).
--
-- Built CONCURRENTLY, outside a transaction (see 0013); a re-run after an interruption is
-- harmless (an INVALID leftover: DROP INDEX it, migrate again).
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_long_during_gist ON events
  USING gist (tstzrange(starts_at, greatest(starts_at, ends_at), '[]'))
  WHERE merged_into IS NULL AND ends_at - starts_at > INTERVAL '1 day';
