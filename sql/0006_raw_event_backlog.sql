-- SceneScout schema, version 6: the raw events waiting for ingestion are listed in their own
-- table, raw_event_backlog, so that marking a raw row processed is a HOT update.
--
-- Marking a raw row writes a new version of it. That version went to another page with a new
-- entry in both of raw_events' B-trees (id, and source + external_id), and the whole row,
-- payload included, went to the WAL. The pending rows were found through a partial index on
-- `processed`, and Postgres before 16 cannot make an update HOT when it changes a column that
-- any index reads, BRIN included. Now no index reads processed, processed_at or error, and
-- pages keep room for a new version of every row on them (fillfactor 50), since discovery
-- stores a batch together and ingestion marks it together. A mark then stays on its page,
-- adds no index entries, and logs only the bytes that changed. Discovery's re-sightings,
-- which set last_seen_at, become HOT as well: by then the versions the marks left are dead
-- and pruned. The space is the price: raw_events takes up to twice the pages it did.
--
-- The backlog holds what the partial index held: the raw events with processed = false and no
-- error. Triggers add a row when a raw event is inserted pending or becomes pending again
-- (discovery stored a changed payload, or someone reset it). Ingestion removes the rows it
-- marks in the same statement. Readers join back to raw_events, so an entry left behind by a
-- direct update of processed or error is skipped.
--
-- The status figure "ingested in the last hour" was read through a BRIN index on processed_at.
-- It now sums the raw events of the ingestion tasks completed in the last hour, from
-- task_assignments.
CREATE TABLE IF NOT EXISTS raw_event_backlog (
  raw_event_id   UUID PRIMARY KEY,
  source         TEXT NOT NULL,
  discovered_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_event_backlog_next_idx ON raw_event_backlog (source, discovered_at, raw_event_id);

-- The trigger functions name their tables unqualified, so each runs with the search_path it was
-- created under: an update issued from a session with another search_path (a schema-qualified
-- statement in psql, say) still finds this schema's tables.
CREATE OR REPLACE FUNCTION raw_events_backlog_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO raw_event_backlog (raw_event_id, source, discovered_at)
  SELECT id, source, discovered_at FROM inserted WHERE processed IS FALSE AND error IS NULL
  ON CONFLICT (raw_event_id) DO NOTHING;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS raw_events_backlog_insert ON raw_events;
CREATE TRIGGER raw_events_backlog_insert AFTER INSERT ON raw_events
  REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION raw_events_backlog_inserted();

CREATE OR REPLACE FUNCTION raw_events_backlog_pending() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO raw_event_backlog (raw_event_id, source, discovered_at)
  VALUES (NEW.id, NEW.source, NEW.discovered_at)
  ON CONFLICT (raw_event_id) DO NOTHING;
  RETURN NULL;
END
$$;

-- A row trigger, because a statement trigger's transition tables would copy every row that
-- ingestion marks. Its condition is checked without calling the function, and only for
-- updates that set processed or error: it fires when a row becomes pending, which a mark never does.
DROP TRIGGER IF EXISTS raw_events_backlog_update ON raw_events;
CREATE TRIGGER raw_events_backlog_update AFTER UPDATE OF processed, error ON raw_events
  FOR EACH ROW
  WHEN (NEW.processed IS FALSE AND NEW.error IS NULL AND (OLD.processed IS NOT FALSE OR OLD.error IS NOT NULL))
  EXECUTE FUNCTION raw_events_backlog_pending();

INSERT INTO raw_event_backlog (raw_event_id, source, discovered_at)
SELECT id, source, discovered_at FROM raw_events WHERE processed = FALSE AND error IS NULL
ON CONFLICT (raw_event_id) DO NOTHING;

-- The same for version 4's trigger functions, written before this was known.
ALTER FUNCTION event_sources_check_event_refs() SET search_path FROM CURRENT;
ALTER FUNCTION events_keep_referenced() SET search_path FROM CURRENT;
ALTER FUNCTION events_id_fixed() SET search_path FROM CURRENT;

DROP INDEX IF EXISTS raw_events_unprocessed_idx;
DROP INDEX IF EXISTS raw_events_processed_at_brin;
ALTER TABLE raw_events SET (fillfactor = 50);
