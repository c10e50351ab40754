-- SceneScout schema, version 1. Runs unchanged on Postgres and on PGlite.
-- Unqualified names: the schema comes from search_path, so tests can isolate by schema.

CREATE TABLE IF NOT EXISTS cities (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  latitude    DOUBLE PRECISION NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude   DOUBLE PRECISION NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  radius_m    INTEGER NOT NULL DEFAULT 50000 CHECK (radius_m > 0),
  timezone    TEXT NOT NULL,
  priority    INTEGER NOT NULL DEFAULT 5,
  enabled     BOOLEAN NOT NULL DEFAULT TRUE,
  -- per-source settings: {"eventbrite": {"organizationIds": [], "venueIds": []}, "ics": {"feeds": []}, "jsonld": {"pages": []}}
  sources     JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE IF NOT EXISTS raw_events (
  id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  data           JSONB NOT NULL,
  discovered_at  TIMESTAMPTZ NOT NULL,
  processed      BOOLEAN DEFAULT FALSE,
  processed_at   TIMESTAMPTZ,
  error          TEXT,
  -- the city it was found for, a hash that tells a changed payload, when discovery last saw it
  city_id        TEXT,
  content_hash   TEXT NOT NULL DEFAULT '',
  last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (source, external_id)
);
CREATE INDEX IF NOT EXISTS raw_events_unprocessed_idx ON raw_events (source, discovered_at) WHERE processed = FALSE;
CREATE INDEX IF NOT EXISTS raw_events_discovered_idx ON raw_events (discovered_at);
CREATE INDEX IF NOT EXISTS raw_events_processed_at_idx ON raw_events (processed_at);

CREATE TABLE IF NOT EXISTS worker_state (
  worker_id        TEXT PRIMARY KEY,
  worker_type      TEXT NOT NULL,
  status           TEXT NOT NULL,
  current_task     TEXT,
  tasks_completed  INTEGER DEFAULT 0,
  average_time_ms  INTEGER,
  error_rate       FLOAT DEFAULT 0,
  last_heartbeat   TIMESTAMPTZ NOT NULL,
  created_at       TIMESTAMPTZ DEFAULT NOW(),
  -- additions
  replica_id       TEXT NOT NULL DEFAULT '',
  tasks_failed     INTEGER NOT NULL DEFAULT 0,
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- One row per attempt, not per task: each retry gets its own row.
CREATE TABLE IF NOT EXISTS task_assignments (
  id            BIGSERIAL PRIMARY KEY,
  task_id       TEXT NOT NULL,
  job_id        UUID NOT NULL,
  worker_id     TEXT NOT NULL,
  task_type     TEXT NOT NULL,
  parameters    JSONB NOT NULL,
  status        TEXT NOT NULL,
  assigned_at   TIMESTAMPTZ DEFAULT NOW(),
  completed_at  TIMESTAMPTZ,
  retry_count   INTEGER DEFAULT 0,
  result        JSONB,
  error         TEXT,
  replica_id    TEXT NOT NULL DEFAULT '',
  duration_ms   INTEGER,
  UNIQUE (job_id, retry_count)
);
CREATE INDEX IF NOT EXISTS task_assignments_task_idx ON task_assignments (task_id);
CREATE INDEX IF NOT EXISTS task_assignments_status_idx ON task_assignments (status, completed_at);

-- Canonical catalogue
CREATE TABLE IF NOT EXISTS events (
  id             UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  title          TEXT NOT NULL,
  description    TEXT,
  starts_at      TIMESTAMPTZ NOT NULL,
  ends_at        TIMESTAMPTZ,
  timezone       TEXT NOT NULL,
  all_day        BOOLEAN NOT NULL DEFAULT FALSE,
  status         TEXT NOT NULL DEFAULT 'scheduled'
                 CHECK (status IN ('scheduled', 'cancelled', 'postponed', 'rescheduled')),
  venue_name     TEXT,
  address        TEXT,
  city           TEXT,
  region         TEXT,
  postal_code    TEXT,
  country        TEXT,
  latitude       DOUBLE PRECISION,
  longitude      DOUBLE PRECISION,
  category       TEXT NOT NULL DEFAULT 'other'
                 CHECK (category IN ('music', 'sports', 'arts-theatre', 'comedy', 'film', 'food-drink',
                                     'nightlife', 'family', 'community', 'business', 'other')),
  price_min      NUMERIC(12, 2),
  price_max      NUMERIC(12, 2),
  currency       TEXT,
  is_free        BOOLEAN,
  url            TEXT,
  image_url      TEXT,
  city_id        TEXT,
  -- merge bookkeeping: a merged-away event points at the event that absorbed it
  merged_into    UUID REFERENCES events (id),
  merge_score    DOUBLE PRECISION,
  merge_reasons  JSONB,
  -- set when no source lists the event any more; never deleted
  missing_since  TIMESTAMPTZ,
  search_text    TEXT NOT NULL DEFAULT '',
  first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS events_starts_idx ON events (starts_at, id) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS events_category_starts_idx ON events (category, starts_at) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS events_geo_idx ON events (latitude, longitude) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS events_city_day_idx ON events (city_id, starts_at);

CREATE TABLE IF NOT EXISTS event_sources (
  event_id       UUID NOT NULL REFERENCES events (id),
  source         TEXT NOT NULL,
  external_id    TEXT NOT NULL,
  url            TEXT,
  raw_event_id   UUID REFERENCES raw_events (id),
  status         TEXT NOT NULL DEFAULT 'scheduled',
  first_seen_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_seen_at   TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  missing_since  TIMESTAMPTZ,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX IF NOT EXISTS event_sources_event_idx ON event_sources (event_id);

-- Provider calls per UTC day, shared by every replica (budget accounting and status).
CREATE TABLE IF NOT EXISTS provider_usage (
  source  TEXT NOT NULL,
  day     DATE NOT NULL,
  calls   INTEGER NOT NULL DEFAULT 0,
  errors  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (source, day)
);
