-- SceneScout schema, version 4: event_sources.event_id is checked once per statement instead of
-- once per row. The foreign key looked each record's event up and took a row lock on it (with
-- a WAL record of its own) for every record ingested: about a tenth of ingestion's database
-- time. The invariant is the same, checked over every row a statement wrote, after the
-- statement (so an event created by the same statement counts):
--   * every event_sources.event_id names an event;
--   * an event that records point at is not deleted, and no event's id changes.
-- What the foreign key also did and this does not: hold a concurrent transaction's delete of
-- the event until this one commits. Nothing here deletes events (they are flagged, never
-- deleted), and the delete check below still refuses any delete that would orphan a record
-- committed before it.
ALTER TABLE event_sources DROP CONSTRAINT IF EXISTS event_sources_event_id_fkey;

CREATE OR REPLACE FUNCTION event_sources_check_event_refs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing uuid;
BEGIN
  SELECT n.event_id INTO missing FROM written n
   WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = n.event_id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'event_sources.event_id % names no event', missing
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

-- One trigger per event: a trigger with transition tables may fire on one event only.
DROP TRIGGER IF EXISTS event_sources_event_refs_insert ON event_sources;
CREATE TRIGGER event_sources_event_refs_insert AFTER INSERT ON event_sources
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION event_sources_check_event_refs();

DROP TRIGGER IF EXISTS event_sources_event_refs_update ON event_sources;
CREATE TRIGGER event_sources_event_refs_update AFTER UPDATE ON event_sources
  REFERENCING NEW TABLE AS written
  FOR EACH STATEMENT EXECUTE FUNCTION event_sources_check_event_refs();

CREATE OR REPLACE FUNCTION events_keep_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  named uuid;
BEGIN
  SELECT o.id INTO named FROM removed o
   WHERE EXISTS (SELECT 1 FROM event_sources s WHERE s.event_id = o.id)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'event % is named by event_sources and cannot be deleted', named
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS events_keep_referenced ON events;
CREATE TRIGGER events_keep_referenced AFTER DELETE ON events
  REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION events_keep_referenced();

CREATE OR REPLACE FUNCTION events_id_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an event''s id never changes (% to %)', OLD.id, NEW.id
    USING ERRCODE = 'foreign_key_violation';
END
$$;

-- Fires only for an UPDATE that sets id, which nothing here does.
DROP TRIGGER IF EXISTS events_id_fixed ON events;
CREATE TRIGGER events_id_fixed BEFORE UPDATE OF id ON events
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION events_id_fixed();
