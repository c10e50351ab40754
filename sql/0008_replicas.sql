-- Replica heartbeats (issue 12, findings 11 and 14). Every controller process has a row and
-- writes last_heartbeat every heartbeat_ms. When a row is older than 3 of its intervals, a live
-- replica marks it 'lost', closes its running attempts as 'lost' and retries their jobs at once.
CREATE TABLE IF NOT EXISTS replicas (
  replica_id      TEXT PRIMARY KEY,
  hostname        TEXT NOT NULL DEFAULT '',
  pid             INTEGER,
  -- running | stopped (shut down) | lost (stopped heartbeating; its work was taken over)
  status          TEXT NOT NULL DEFAULT 'running',
  heartbeat_ms    INTEGER NOT NULL,
  started_at      TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_heartbeat  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  stopped_at      TIMESTAMPTZ,
  taken_over_by   TEXT
);
CREATE INDEX IF NOT EXISTS replicas_running_idx ON replicas (last_heartbeat) WHERE status = 'running';

-- Attempts still running, by replica: what a takeover closes.
CREATE INDEX IF NOT EXISTS task_assignments_running_idx ON task_assignments (replica_id) WHERE status = 'running';

-- "Discover at start" once per deployment: the replica that inserts or renews the row runs it.
CREATE TABLE IF NOT EXISTS startup_runs (
  name        TEXT PRIMARY KEY,
  replica_id  TEXT NOT NULL,
  ran_at      TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
