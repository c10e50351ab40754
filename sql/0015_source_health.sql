-- SceneScout schema, version 15: the health of every (city, source, feed), and when discovery
-- last saw a source record of each event. Runs unchanged on Postgres and on PGlite.

-- One row per (city, source, feed): `feed` is the iCalendar feed or JSON-LD page, '' for an API
-- source (Ticketmaster, Eventbrite, Yelp). `id` is derived from the three (source-health.ts), so
-- it names the row in URLs without carrying the feed's URL. A feed failing `consecutive_failures`
-- times in a row is quarantined until `quarantined_until`; each quarantine in a row
-- (`quarantines`) doubles the backoff. A success clears all three.
CREATE TABLE IF NOT EXISTS source_health (
  id                    TEXT PRIMARY KEY,
  city_id               TEXT NOT NULL,
  source                TEXT NOT NULL,
  feed                  TEXT NOT NULL DEFAULT '',
  last_success_at       TIMESTAMPTZ,
  last_error_at         TIMESTAMPTZ,
  last_error            TEXT,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  events_last_seen      INTEGER,
  quarantined_until     TIMESTAMPTZ,
  quarantines           INTEGER NOT NULL DEFAULT 0,
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (city_id, source, feed)
);

-- When a discovery last saw one of the event's source records (unchanged records are not
-- ingested again, so `last_seen_at` does not tell).
ALTER TABLE events ADD COLUMN IF NOT EXISTS last_confirmed_at TIMESTAMPTZ;
