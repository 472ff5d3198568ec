-- Grids and grid workers (一张网, issue 13 §1). A unit (township or village, or a county that
-- runs the grid centre) divides its land into grids on several tiers: township (一级网格) →
-- village or community (二级) → group or residential compound (三级) → micro-grid (微网格);
-- an exclusive grid (专属网格, a school, a hospital, an industrial park) hangs under any of
-- them. Each grid has a code that begins with its unit's division code (so a code is unique
-- across the installation without one unit learning of another's codes), a name, the
-- households and people it covers and an optional GeoJSON boundary. Grid workers (full-time,
-- part-time, exclusive) are assigned to grids; one of a grid's workers is its leader (网格长).
--
-- Visibility as every configuration table: a unit writes its own rows and reads its subtree;
-- grids and workers are also readable by descendants (a village hangs its grids under the
-- township's and draws on the township's workers).

CREATE TYPE app.grid_tier AS ENUM ('township', 'village', 'group', 'micro');
CREATE TYPE app.grid_worker_kind AS ENUM ('full_time', 'part_time', 'exclusive');

CREATE TABLE app.grids (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code     text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code    text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  parent_id      uuid REFERENCES app.grids (id),
  tier           app.grid_tier NOT NULL,
  exclusive_type text CHECK (exclusive_type IN ('school', 'hospital', 'industrial_park', 'enterprise', 'market',
                   'scenic_area', 'other')),
  code           text COLLATE "C" NOT NULL,
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  households     integer NOT NULL DEFAULT 0 CHECK (households BETWEEN 0 AND 1000000),
  population     integer NOT NULL DEFAULT 0 CHECK (population BETWEEN 0 AND 10000000),
  boundary       jsonb,
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  CONSTRAINT grids_code_key UNIQUE (code),
  CONSTRAINT grids_code_shape CHECK (code ~ '^[1-9][0-9]{1,11}(-[0-9A-Z]{1,8}){1,6}$'
    AND split_part(code, '-', 1) = scope_code),
  CONSTRAINT grids_boundary_shape CHECK (boundary IS NULL OR (boundary ->> 'type' IN ('Polygon', 'MultiPolygon')
    AND jsonb_typeof(boundary -> 'coordinates') = 'array' AND octet_length(boundary::text) <= 262144)),
  CONSTRAINT grids_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX grids_parent_idx ON app.grids (parent_id) WHERE parent_id IS NOT NULL;
SELECT app.apply_config_policies('app.grids', true);

-- A grid sits one tier below its parent (an exclusive grid: at the parent's tier or below).
CREATE FUNCTION app.grids_check_tier() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE parent_tier app.grid_tier;
BEGIN
  IF NEW.parent_id IS NULL THEN RETURN NEW; END IF;
  SELECT tier INTO parent_tier FROM app.grids WHERE id = NEW.parent_id;
  -- An invisible parent is refused by zz_references (as "not found").
  IF parent_tier IS NULL THEN RETURN NEW; END IF;
  IF NEW.tier < parent_tier OR (NEW.tier = parent_tier AND NEW.exclusive_type IS NULL) THEN
    RAISE EXCEPTION 'a grid sits below its parent' USING ERRCODE = 'check_violation',
      CONSTRAINT = 'grids_tier_below_parent', TABLE = 'grids', SCHEMA = 'app';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER grids_tier BEFORE INSERT OR UPDATE OF parent_id, tier, exclusive_type ON app.grids
  FOR EACH ROW EXECUTE FUNCTION app.grids_check_tier();
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF parent_id ON app.grids
  FOR EACH ROW EXECUTE FUNCTION app.check_references('parent_id app.grids above scope_code active');

CREATE TABLE app.grid_workers (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
  phone       text CHECK (phone ~ '^[0-9+\- ]{5,20}$'),
  kind        app.grid_worker_kind NOT NULL,
  -- The worker's account, when the worker signs in (field reports from the phone).
  user_id     uuid REFERENCES app.users (id),
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT grid_workers_user_unique UNIQUE (scope_code, user_id)
);
SELECT app.apply_config_policies('app.grid_workers', true);
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF user_id ON app.grid_workers
  FOR EACH ROW EXECUTE FUNCTION app.check_references('user_id app.users within scope_code');

-- Who works which grid; one of them leads it. The row belongs to the grid's unit.
CREATE TABLE app.grid_assignments (
  grid_id     uuid NOT NULL REFERENCES app.grids (id) ON DELETE CASCADE,
  worker_id   uuid NOT NULL REFERENCES app.grid_workers (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  leader      boolean NOT NULL DEFAULT false,
  PRIMARY KEY (grid_id, worker_id),
  CONSTRAINT grid_assignments_one_leader EXCLUDE USING btree (grid_id WITH =) WHERE (leader)
);
CREATE INDEX grid_assignments_worker_idx ON app.grid_assignments (worker_id);
CREATE TRIGGER grid_assignments_scope BEFORE INSERT OR UPDATE OF grid_id ON app.grid_assignments
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.grids', 'grid_id');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF worker_id ON app.grid_assignments
  FOR EACH ROW EXECUTE FUNCTION app.check_references('worker_id app.grid_workers above scope_code active');
SELECT app.apply_config_policies('app.grid_assignments', false);

GRANT SELECT, INSERT ON app.grids, app.grid_workers, app.grid_assignments TO zz_app;
GRANT DELETE ON app.grid_assignments TO zz_app;
-- The position in the tree (unit, parent, tier) and the code are fixed once a grid exists.
GRANT UPDATE (name, exclusive_type, households, population, boundary, active, version) ON app.grids TO zz_app;
GRANT UPDATE (name, phone, kind, user_id, active, version) ON app.grid_workers TO zz_app;
GRANT UPDATE (leader) ON app.grid_assignments TO zz_app;
