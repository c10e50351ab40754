-- SceneScout schema, version 3: each source's own version of an event is kept as typed columns
-- of event_sources, the same columns (and types) as the content of `events`, instead of a
-- JSONB record. Ingestion writes them straight from its input (building a JSONB value per
-- record cost the database more than inserting the row), and anyone can compare what each
-- source says about an event with plain SQL. url, status and starts_at were columns already.
ALTER TABLE event_sources
  ADD COLUMN IF NOT EXISTS title TEXT,
  ADD COLUMN IF NOT EXISTS description TEXT,
  ADD COLUMN IF NOT EXISTS ends_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS timezone TEXT,
  ADD COLUMN IF NOT EXISTS all_day BOOLEAN,
  ADD COLUMN IF NOT EXISTS venue_name TEXT,
  ADD COLUMN IF NOT EXISTS address TEXT,
  ADD COLUMN IF NOT EXISTS city TEXT,
  ADD COLUMN IF NOT EXISTS region TEXT,
  ADD COLUMN IF NOT EXISTS postal_code TEXT,
  ADD COLUMN IF NOT EXISTS country TEXT,
  ADD COLUMN IF NOT EXISTS latitude DOUBLE PRECISION,
  ADD COLUMN IF NOT EXISTS longitude DOUBLE PRECISION,
  ADD COLUMN IF NOT EXISTS category TEXT,
  ADD COLUMN IF NOT EXISTS price_min NUMERIC(12, 2),
  ADD COLUMN IF NOT EXISTS price_max NUMERIC(12, 2),
  ADD COLUMN IF NOT EXISTS currency TEXT,
  ADD COLUMN IF NOT EXISTS is_free BOOLEAN,
  ADD COLUMN IF NOT EXISTS image_url TEXT;

-- Rows written before version 2 have no record and keep NULL fields: a row with a NULL title
-- has no stored version (as a NULL record meant before), and the next ingestion of its raw
-- event fills it in.
UPDATE event_sources SET
  title = record->>'title',
  description = record->>'description',
  starts_at = (record->>'startsAt')::timestamptz,
  ends_at = (record->>'endsAt')::timestamptz,
  timezone = record->>'timezone',
  all_day = (record->>'allDay')::boolean,
  status = record->>'status',
  venue_name = record#>>'{venue,name}',
  address = record#>>'{venue,address}',
  city = record#>>'{venue,city}',
  region = record#>>'{venue,region}',
  postal_code = record#>>'{venue,postalCode}',
  country = record#>>'{venue,country}',
  latitude = (record#>>'{venue,latitude}')::float8,
  longitude = (record#>>'{venue,longitude}')::float8,
  category = record->>'category',
  price_min = (record->>'priceMin')::numeric,
  price_max = (record->>'priceMax')::numeric,
  currency = record->>'currency',
  is_free = (record->>'isFree')::boolean,
  url = record->>'url',
  image_url = record->>'imageUrl'
WHERE record IS NOT NULL;

ALTER TABLE event_sources DROP COLUMN IF EXISTS record;

-- origin_event_id and raw_event_id lose their foreign keys. Ingestion sets both in the statement
-- that inserts the record: the origin is the event that statement inserts, and the raw id is
-- the row it has just read; origin_event_id never changes afterwards. Events are never deleted
-- (they are flagged), and raw rows may be pruned without touching the catalogue (dedupe already
-- treats a missing raw row as "not seen again"). Checking the two keys ran a trigger query with
-- a row lock per record, about an eighth of ingestion's database time, to guard values the
-- statement itself chose. event_id keeps its foreign key: dedupe moves records between events.
ALTER TABLE event_sources DROP CONSTRAINT IF EXISTS event_sources_origin_event_id_fkey;
ALTER TABLE event_sources DROP CONSTRAINT IF EXISTS event_sources_raw_event_id_fkey;
