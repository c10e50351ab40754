-- SceneScout schema, version 10: dedupe that operators can correct, and whose decisions last.
-- Runs unchanged on Postgres and on PGlite.

-- A child show linked to its festival or multi-day umbrella listing (decision 'parent'): the
-- two are never merged, the child points at the event hosting the umbrella record.
ALTER TABLE events ADD COLUMN IF NOT EXISTS parent_id UUID;
CREATE INDEX IF NOT EXISTS events_parent_idx ON events (parent_id) WHERE parent_id IS NOT NULL;

-- Pairs of source records the matcher was unsure of (decision 'review'), waiting for an
-- operator. The id is derived from the two record keys, so every run finds the same row.
-- `a` is the smaller key (source:external_id) of the pair.
CREATE TABLE IF NOT EXISTS dedupe_review (
  pair_id        TEXT PRIMARY KEY,
  a_source       TEXT NOT NULL,
  a_external_id  TEXT NOT NULL,
  b_source       TEXT NOT NULL,
  b_external_id  TEXT NOT NULL,
  city_id        TEXT,
  score          DOUBLE PRECISION NOT NULL,
  evidence       JSONB NOT NULL,
  status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'decided')),
  decision       TEXT CHECK (decision IN ('same', 'different')),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  decided_at     TIMESTAMPTZ,
  CHECK ((status = 'decided') = (decision IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS dedupe_review_pending_idx ON dedupe_review (created_at, pair_id) WHERE status = 'pending';

-- Operator decisions as constraints on source records, never on events: every later dedupe
-- run obeys them, whatever the records say by then. 'must' joins the two records' clusters,
-- 'cannot' keeps them apart. One row per unordered pair (a is the smaller key); a new
-- decision on the pair replaces the old one.
CREATE TABLE IF NOT EXISTS dedupe_constraints (
  a_source       TEXT NOT NULL,
  a_external_id  TEXT NOT NULL,
  b_source       TEXT NOT NULL,
  b_external_id  TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('must', 'cannot')),
  -- what made it: 'review' (POST /api/review/:pairId) or 'unmerge' (POST /api/events/:id/unmerge)
  origin         TEXT NOT NULL CHECK (origin IN ('review', 'unmerge')),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (a_source, a_external_id, b_source, b_external_id)
);
CREATE INDEX IF NOT EXISTS dedupe_constraints_b_idx ON dedupe_constraints (b_source, b_external_id);

-- Lineage: every change dedupe or an operator made to which event hosts which record.
--   merge     event_id absorbed other_id (the origin of record source/external_id)
--   split     dedupe restored other_id = event_id (its record no longer matched)
--   unmerge   an operator split record source/external_id out of event_id
--   review    an operator decided a pair (detail: pairId, decision)
CREATE TABLE IF NOT EXISTS event_lineage (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  action       TEXT NOT NULL CHECK (action IN ('merge', 'split', 'unmerge', 'review')),
  event_id     UUID NOT NULL,
  other_id     UUID,
  source       TEXT,
  external_id  TEXT,
  detail       JSONB
);
CREATE INDEX IF NOT EXISTS event_lineage_event_idx ON event_lineage (event_id, id);
CREATE INDEX IF NOT EXISTS event_lineage_other_idx ON event_lineage (other_id, id) WHERE other_id IS NOT NULL;

-- The ids merged away and where each now points. Events are never deleted and a merged-away
-- event keeps its row with merged_into set, so this is a view over events rather than a copy
-- that could drift; GET /api/events/:id answers 301 along it (following chains).
CREATE OR REPLACE VIEW event_redirects AS
  SELECT id AS old_id, merged_into AS event_id, updated_at AS since
    FROM events WHERE merged_into IS NOT NULL;
