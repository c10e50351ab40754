-- SceneScout schema, version 5: the discovery and ingestion rates read raw_events through BRIN
-- indexes on discovered_at and processed_at instead of B-trees.
--
-- Those two indexes serve only the status figures (raw events discovered and ingested in the
-- last hour, discoveries per hour over a day), yet ingestion paid for both B-trees on every
-- raw row it marked: marking writes a new row version, and each B-tree gets an entry for it.
-- That was about a twelfth of ingestion's database time. A BRIN index keeps the smallest and
-- largest value per range of table pages, so a new row version only widens its range's
-- summary, if anything. Both columns grow with time as rows are written, which is the case
-- BRIN is made for: a "since an hour ago" count reads only the ranges written recently.
-- autosummarize has autovacuum summarize each range as soon as it fills.
DROP INDEX IF EXISTS raw_events_discovered_idx;
DROP INDEX IF EXISTS raw_events_processed_at_idx;
CREATE INDEX IF NOT EXISTS raw_events_discovered_brin ON raw_events USING brin (discovered_at) WITH (autosummarize = on);
CREATE INDEX IF NOT EXISTS raw_events_processed_at_brin ON raw_events USING brin (processed_at) WITH (autosummarize = on);
