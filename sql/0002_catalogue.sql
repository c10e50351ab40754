-- SceneScout schema, version 2: what ingestion and cross-source dedupe need to keep the
-- catalogue explainable and reversible. Runs unchanged on Postgres and on PGlite.

-- Every source record gets its own event row when first ingested: its *origin* event. Dedupe
-- moves the record (event_id) to the cluster's surviving event and points the origin at it
-- (events.merged_into); unmerging moves the record back to its origin and clears merged_into.
ALTER TABLE event_sources ADD COLUMN IF NOT EXISTS origin_event_id UUID REFERENCES events (id);
UPDATE event_sources SET origin_event_id = event_id WHERE origin_event_id IS NULL;
ALTER TABLE event_sources ALTER COLUMN origin_event_id SET NOT NULL;

-- The source's own normalized record (NormalizedEvent as JSON, dates as ISO strings): what
-- dedupe compares and mergeEvents folds, without re-reading raw_events.
ALTER TABLE event_sources ADD COLUMN IF NOT EXISTS record JSONB;
-- Copies of record fields that select the records of one city and time window.
ALTER TABLE event_sources ADD COLUMN IF NOT EXISTS city_id TEXT;
ALTER TABLE event_sources ADD COLUMN IF NOT EXISTS starts_at TIMESTAMPTZ;

-- Dedupe selects the records of one city and window. (Reads of events need no new index:
-- keyset pages use events_starts_idx, or events_category_starts_idx with an incremental sort;
-- radius searches use events_geo_idx.)
CREATE INDEX IF NOT EXISTS event_sources_city_starts_idx ON event_sources (city_id, starts_at);
