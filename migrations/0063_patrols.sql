-- Patrols of grid workers (issue 13 §4): each patrol's start, end, distance or track and the
-- events found; a unit's norm for supervision (Yumen's "235": 2 hours and 3 km a day, at least
-- 5 events a week), inherited down the tree (the nearest unit above with a norm of its own).

CREATE TABLE app.patrols (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code   text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  worker_id    uuid NOT NULL REFERENCES app.grid_workers (id),
  grid_id      uuid REFERENCES app.grids (id),
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  distance_m   integer NOT NULL CHECK (distance_m BETWEEN 0 AND 200000),
  events_found integer NOT NULL DEFAULT 0 CHECK (events_found BETWEEN 0 AND 1000),
  -- The track as a GeoJSON LineString, when the phone recorded one.
  track        jsonb CHECK (track IS NULL OR (track ->> 'type' = 'LineString' AND octet_length(track::text) <= 262144)),
  created_by   uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT patrols_span CHECK (ended_at > started_at AND ended_at - started_at <= interval '16 hours')
);
CREATE INDEX patrols_worker_idx ON app.patrols (worker_id, started_at);
SELECT app.apply_config_policies('app.patrols', false);
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF worker_id, grid_id ON app.patrols
  FOR EACH ROW EXECUTE FUNCTION app.check_references('worker_id app.grid_workers above scope_code active',
    'grid_id app.grids above scope_code active');
GRANT SELECT, INSERT (scope_code, worker_id, grid_id, started_at, ended_at, distance_m, events_found, track, created_by)
  ON app.patrols TO zz_app;

CREATE TABLE app.patrol_norms (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code      text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  minutes_per_day integer NOT NULL CHECK (minutes_per_day BETWEEN 0 AND 960),
  metres_per_day  integer NOT NULL CHECK (metres_per_day BETWEEN 0 AND 100000),
  events_per_week integer NOT NULL CHECK (events_per_week BETWEEN 0 AND 500),
  days_per_week   integer NOT NULL DEFAULT 5 CHECK (days_per_week BETWEEN 1 AND 7),
  version         integer NOT NULL DEFAULT 1,
  CONSTRAINT patrol_norms_scope_code_key UNIQUE (scope_code)
);
-- Read down the tree: a unit's workers are judged by the nearest norm above.
SELECT app.apply_config_policies('app.patrol_norms', true);
GRANT SELECT, INSERT (scope_code, minutes_per_day, metres_per_day, events_per_week, days_per_week) ON app.patrol_norms TO zz_app;
GRANT UPDATE (minutes_per_day, metres_per_day, events_per_week, days_per_week, version) ON app.patrol_norms TO zz_app;
