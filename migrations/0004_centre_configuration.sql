-- Centre configuration (issue #3): stationed departments and their residency, rotation
-- schedules, liaisons, service windows, mediators, rooms, committees, room/mediator bookings.
--
-- Visibility: a centre writes only its own rows (scope_code = S); it reads its subtree
-- (a county sees its townships' rosters). Shared pools (department kinds, mediators) are also
-- readable by descendants: a village draws on its township's and county's mediator pool.
-- Ancestor visibility is an IN-list of equalities on the code's prefixes — leakproof, like
-- the subtree range.

-- Built-in department catalogue, identical for every deployment.
CREATE TYPE app.department_category AS ENUM ('party_government', 'judicial', 'public_security',
  'administrative', 'mass_organisation', 'social_force');
CREATE TABLE ref.department_kinds (
  code     text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  name     text NOT NULL,
  category app.department_category NOT NULL,
  sort     integer NOT NULL
);
ALTER TABLE ref.department_kinds ENABLE ROW LEVEL SECURITY;
ALTER TABLE ref.department_kinds FORCE ROW LEVEL SECURITY;
CREATE POLICY department_kinds_read ON ref.department_kinds FOR SELECT TO zz_app USING (true);
CREATE POLICY department_kinds_owner ON ref.department_kinds FOR ALL TO zz_owner USING (true) WITH CHECK (true);
GRANT SELECT ON ref.department_kinds TO zz_app;
INSERT INTO ref.department_kinds (code, name, category, sort) VALUES
  ('political_legal', '政法委', 'party_government', 10),
  ('court', '人民法院', 'judicial', 20),
  ('procuratorate', '人民检察院', 'judicial', 30),
  ('public_security', '公安局', 'public_security', 40),
  ('police_station', '派出所', 'public_security', 41),
  ('justice', '司法局', 'administrative', 50),
  ('judicial_office', '司法所', 'administrative', 51),
  ('petition', '信访局', 'administrative', 60),
  ('human_resources', '人社局', 'administrative', 70),
  ('labour_inspection', '劳动保障监察', 'administrative', 71),
  ('labour_arbitration', '劳动人事争议仲裁院', 'administrative', 72),
  ('housing', '住建局', 'administrative', 80),
  ('natural_resources', '自然资源局', 'administrative', 90),
  ('health', '卫健委', 'administrative', 100),
  ('market_regulation', '市场监管局', 'administrative', 110),
  ('civil_affairs', '民政局', 'administrative', 115),
  ('agriculture', '农业农村局', 'administrative', 116),
  ('water_affairs', '水务局', 'administrative', 117),
  ('transport', '交通运输局', 'administrative', 118),
  ('veterans', '退役军人事务局', 'administrative', 120),
  ('medical_mediation', '医疗纠纷人民调解委员会', 'social_force', 130),
  ('legal_aid', '法律援助中心', 'administrative', 140),
  ('notary', '公证处', 'administrative', 150),
  ('arbitration', '仲裁委员会', 'administrative', 160),
  ('judicial_appraisal', '司法鉴定机构', 'social_force', 165),
  ('women_federation', '妇联', 'mass_organisation', 170),
  ('trade_union', '总工会', 'mass_organisation', 180),
  ('youth_league', '团委', 'mass_organisation', 190),
  ('law_firm', '律师事务所', 'social_force', 200),
  ('psychological', '心理咨询服务机构', 'social_force', 210),
  ('industry_mediation', '行业性专业性调解组织', 'social_force', 220),
  ('township_enforcement', '乡镇综合执法队', 'administrative', 230);

-- Standard policies for a configuration table. Generated so that every table gets exactly
-- the same leakproof predicates; `shared` adds read access for descendants (ancestor rows).
CREATE FUNCTION app.apply_config_policies(p_table regclass, p_shared boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
  subtree text := format('(scope_code >= %1$s AND scope_code < %1$s || '':'')', s);
  ancestors text := format('scope_code IN (left(%1$s, 2), left(%1$s, 4), left(%1$s, 6), left(%1$s, 9))', s);
  own text := format('scope_code = %s', s);
  name text := replace(p_table::text, 'app.', '');
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO zz_app USING (%s%s)', name || '_read', p_table,
    subtree, CASE WHEN p_shared THEN ' OR ' || ancestors ELSE '' END);
  EXECUTE format('CREATE POLICY %I ON %s FOR INSERT TO zz_app WITH CHECK (%s)', name || '_insert', p_table, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR UPDATE TO zz_app USING (%s) WITH CHECK (%s)', name || '_update', p_table, own, own);
  EXECUTE format('CREATE POLICY %I ON %s FOR DELETE TO zz_app USING (%s)', name || '_delete', p_table, own);
  EXECUTE format('CREATE INDEX %I ON %s (scope_code)', name || '_scope_idx', p_table);
END $$;
REVOKE ALL ON FUNCTION app.apply_config_policies(regclass, boolean) FROM PUBLIC;

-- A referenced row must be visible to the writer: stops a forged id of another tenant from
-- being linked (a foreign-key check alone bypasses RLS). Arguments: pairs of column, table.
CREATE FUNCTION app.require_visible() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE i integer; val uuid; ok boolean;
BEGIN
  FOR i IN 0 .. TG_NARGS - 1 BY 2 LOOP
    EXECUTE format('SELECT ($1).%I::uuid', TG_ARGV[i]) USING NEW INTO val;
    IF val IS NOT NULL THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE id = $1)', TG_ARGV[i + 1]) USING val INTO ok;
      IF NOT ok THEN
        RAISE EXCEPTION '% not found', TG_ARGV[i] USING ERRCODE = 'foreign_key_violation';
      END IF;
    END IF;
  END LOOP;
  RETURN NEW;
END $$;

-- A child row belongs to the same centre as its parent (arguments: parent table, fk column).
CREATE FUNCTION app.inherit_scope() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE parent_id uuid; code text;
BEGIN
  EXECUTE format('SELECT ($1).%I::uuid', TG_ARGV[1]) USING NEW INTO parent_id;
  EXECUTE format('SELECT scope_code FROM %s WHERE id = $1', TG_ARGV[0]) USING parent_id INTO code;
  IF code IS NULL THEN
    RAISE EXCEPTION '% not found', TG_ARGV[1] USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.scope_code := code;
  RETURN NEW;
END $$;

-- Department kinds added by a deployment's admins (the built-in ones live in ref).
CREATE TABLE app.department_kinds (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  code        text NOT NULL CHECK (code ~ '^x_[a-z0-9_]{1,38}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  category    app.department_category NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  UNIQUE (scope_code, code)
);
SELECT app.apply_config_policies('app.department_kinds', true);

CREATE TYPE app.residency AS ENUM ('permanent', 'rotating', 'on_call');

-- A department stationed at a centre (入驻部门), with its residency mode.
CREATE TABLE app.stationings (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code       text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code      text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  kind_code        text NOT NULL,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  residency        app.residency NOT NULL,
  contact_name     text CHECK (length(contact_name) <= 30),
  contact_phone    text CHECK (contact_phone ~ '^[0-9+\- ]{5,20}$'),
  response_minutes integer CHECK (response_minutes BETWEEN 5 AND 10080),
  notes            text CHECK (length(notes) <= 500),
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1,
  CONSTRAINT stationings_on_call_has_response CHECK (
    residency <> 'on_call' OR (response_minutes IS NOT NULL AND contact_phone IS NOT NULL)),
  CONSTRAINT stationings_name_unique UNIQUE (scope_code, name)
);
SELECT app.apply_config_policies('app.stationings', false);

-- When a rotating department is present: weekday patterns (every N weeks from an anchor)
-- and/or explicit date ranges, with the staff member on duty.
CREATE TABLE app.rotation_slots (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code    text COLLATE "C" NOT NULL,
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  stationing_id uuid NOT NULL REFERENCES app.stationings (id) ON DELETE CASCADE,
  weekdays      smallint[] CHECK (weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]::smallint[] AND cardinality(weekdays) > 0),
  every_weeks   smallint NOT NULL DEFAULT 1 CHECK (every_weeks BETWEEN 1 AND 8),
  anchor_date   date,
  valid_from    date,
  valid_to      date,
  staff_name    text NOT NULL CHECK (length(staff_name) BETWEEN 1 AND 30),
  staff_phone   text CHECK (staff_phone ~ '^[0-9+\- ]{5,20}$'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rotation_slots_pattern_or_range CHECK (weekdays IS NOT NULL OR (valid_from IS NOT NULL AND valid_to IS NOT NULL)),
  CONSTRAINT rotation_slots_range_order CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
  CONSTRAINT rotation_slots_anchor CHECK (every_weeks = 1 OR anchor_date IS NOT NULL)
);
CREATE INDEX rotation_slots_stationing_idx ON app.rotation_slots (stationing_id);
CREATE TRIGGER rotation_slots_scope BEFORE INSERT OR UPDATE ON app.rotation_slots
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.stationings', 'stationing_id');
SELECT app.apply_config_policies('app.rotation_slots', false);

-- Liaison users who serve a stationed department (role department_liaison).
CREATE TABLE app.stationing_liaisons (
  stationing_id uuid NOT NULL REFERENCES app.stationings (id) ON DELETE CASCADE,
  user_id       uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  scope_code    text COLLATE "C" NOT NULL,
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  PRIMARY KEY (stationing_id, user_id)
);
CREATE INDEX stationing_liaisons_user_idx ON app.stationing_liaisons (user_id);
CREATE TRIGGER stationing_liaisons_scope BEFORE INSERT OR UPDATE ON app.stationing_liaisons
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.stationings', 'stationing_id');
CREATE TRIGGER stationing_liaisons_visible BEFORE INSERT OR UPDATE ON app.stationing_liaisons
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('user_id', 'app.users');
SELECT app.apply_config_policies('app.stationing_liaisons', false);

-- Service windows (服务窗口).
CREATE TABLE app.service_windows (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code    text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  number        integer NOT NULL CHECK (number BETWEEN 1 AND 999),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  services      text[] NOT NULL DEFAULT '{}',
  stationing_id uuid REFERENCES app.stationings (id) ON DELETE SET NULL,
  temporary     boolean NOT NULL DEFAULT false,
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  CONSTRAINT service_windows_number_unique UNIQUE (scope_code, number)
);
CREATE TRIGGER service_windows_visible BEFORE INSERT OR UPDATE ON app.service_windows
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('stationing_id', 'app.stationings');
SELECT app.apply_config_policies('app.service_windows', false);

CREATE TYPE app.mediator_grade AS ENUM ('chief', 'senior', 'standard');
CREATE TYPE app.mediator_affiliation AS ENUM ('committee', 'department', 'lawyer', 'retired_judge',
  'notable_villager', 'grid_worker', 'psychologist', 'volunteer', 'other');

-- The mediator pool (调解员人才库); readable by descendants, who draw on their ancestors' pools.
CREATE TABLE app.mediators (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code       text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code      text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 30),
  grade            app.mediator_grade NOT NULL DEFAULT 'standard',
  specialties      text[] NOT NULL DEFAULT '{}',
  qualifications   text[] NOT NULL DEFAULT '{}',
  affiliation      app.mediator_affiliation NOT NULL,
  affiliation_name text CHECK (length(affiliation_name) <= 60),
  user_id          uuid REFERENCES app.users (id) ON DELETE SET NULL,
  phone            text CHECK (phone ~ '^[0-9+\- ]{5,20}$'),
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  version          integer NOT NULL DEFAULT 1
);
CREATE INDEX mediators_specialties_idx ON app.mediators USING gin (specialties);
CREATE TRIGGER mediators_visible BEFORE INSERT OR UPDATE ON app.mediators
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('user_id', 'app.users');
SELECT app.apply_config_policies('app.mediators', true);

CREATE TYPE app.room_kind AS ENUM ('general', 'family', 'neighbour', 'labour', 'land', 'property',
  'traffic', 'medical', 'petition', 'litigation');
CREATE TYPE app.functional_area AS ENUM ('intake', 'resolution', 'command');

-- Mediation rooms, including named studios of well-known mediators.
CREATE TABLE app.mediation_rooms (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code        text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code       text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  kind              app.room_kind NOT NULL DEFAULT 'general',
  studio_name       text CHECK (length(studio_name) <= 40),
  chief_mediator_id uuid REFERENCES app.mediators (id) ON DELETE SET NULL,
  capacity          integer NOT NULL DEFAULT 8 CHECK (capacity BETWEEN 1 AND 500),
  area              app.functional_area NOT NULL DEFAULT 'resolution',
  location          text CHECK (length(location) <= 60),
  active            boolean NOT NULL DEFAULT true,
  created_at        timestamptz NOT NULL DEFAULT now(),
  version           integer NOT NULL DEFAULT 1,
  CONSTRAINT mediation_rooms_name_unique UNIQUE (scope_code, name)
);
CREATE TRIGGER mediation_rooms_visible BEFORE INSERT OR UPDATE ON app.mediation_rooms
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('chief_mediator_id', 'app.mediators');
SELECT app.apply_config_policies('app.mediation_rooms', false);

CREATE TYPE app.committee_field AS ENUM ('joint', 'labour', 'medical', 'rural_land', 'water',
  'property', 'traffic', 'marriage_family', 'consumer', 'enterprise', 'other');

-- People's mediation committees (调委会) by field, and their members.
CREATE TABLE app.mediation_committees (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
  field       app.committee_field NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT mediation_committees_name_unique UNIQUE (scope_code, name)
);
SELECT app.apply_config_policies('app.mediation_committees', false);

CREATE TABLE app.committee_members (
  committee_id uuid NOT NULL REFERENCES app.mediation_committees (id) ON DELETE CASCADE,
  mediator_id  uuid NOT NULL REFERENCES app.mediators (id) ON DELETE CASCADE,
  scope_code   text COLLATE "C" NOT NULL,
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  role         text NOT NULL DEFAULT 'member' CHECK (role IN ('director', 'deputy', 'member')),
  PRIMARY KEY (committee_id, mediator_id)
);
CREATE TRIGGER committee_members_scope BEFORE INSERT OR UPDATE ON app.committee_members
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.mediation_committees', 'committee_id');
CREATE TRIGGER committee_members_visible BEFORE INSERT OR UPDATE ON app.committee_members
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('mediator_id', 'app.mediators');
SELECT app.apply_config_policies('app.committee_members', false);

-- Bookings of a room (and of mediators) for a time range. Double-booking is impossible by
-- construction: exclusion constraints on the ranges, not application checks. They hold
-- across tenants, because a mediator of a township pool may be booked by several villages.
CREATE TABLE app.bookings (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  room_id     uuid NOT NULL REFERENCES app.mediation_rooms (id),
  during      tstzrange NOT NULL CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)
                AND upper(during) - lower(during) <= interval '12 hours'),
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  case_id     uuid,
  created_by  uuid,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT bookings_room_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE (status = 'active')
);
CREATE INDEX bookings_room_idx ON app.bookings USING gist (room_id, during);
CREATE TRIGGER bookings_scope BEFORE INSERT OR UPDATE OF room_id ON app.bookings
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.mediation_rooms', 'room_id');
SELECT app.apply_config_policies('app.bookings', false);

CREATE TABLE app.booking_mediators (
  booking_id  uuid NOT NULL REFERENCES app.bookings (id) ON DELETE CASCADE,
  mediator_id uuid NOT NULL REFERENCES app.mediators (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  during      tstzrange NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  PRIMARY KEY (booking_id, mediator_id),
  CONSTRAINT booking_mediators_no_overlap EXCLUDE USING gist (mediator_id WITH =, during WITH &&) WHERE (active)
);
CREATE TRIGGER booking_mediators_scope BEFORE INSERT ON app.booking_mediators
  FOR EACH ROW EXECUTE FUNCTION app.inherit_scope('app.bookings', 'booking_id');
CREATE TRIGGER booking_mediators_visible BEFORE INSERT ON app.booking_mediators
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('mediator_id', 'app.mediators');
SELECT app.apply_config_policies('app.booking_mediators', false);

-- A booking's mediators follow its time and status.
CREATE FUNCTION app.bookings_sync_mediators() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE app.booking_mediators SET during = NEW.during, active = (NEW.status = 'active')
    WHERE booking_id = NEW.id;
  RETURN NEW;
END $$;
CREATE TRIGGER bookings_sync_mediators AFTER UPDATE OF during, status ON app.bookings
  FOR EACH ROW EXECUTE FUNCTION app.bookings_sync_mediators();

GRANT SELECT, INSERT, UPDATE, DELETE ON app.department_kinds, app.stationings, app.rotation_slots,
  app.stationing_liaisons, app.service_windows, app.mediators, app.mediation_rooms,
  app.mediation_committees, app.committee_members, app.bookings, app.booking_mediators TO zz_app;
-- Position in the tree is never changed after the fact.
REVOKE UPDATE ON app.department_kinds, app.stationings, app.rotation_slots, app.stationing_liaisons,
  app.service_windows, app.mediators, app.mediation_rooms, app.mediation_committees,
  app.committee_members, app.bookings, app.booking_mediators FROM zz_app;
GRANT UPDATE (name, category, active, version) ON app.department_kinds TO zz_app;
GRANT UPDATE (kind_code, name, residency, contact_name, contact_phone, response_minutes, notes, active,
  updated_at, version) ON app.stationings TO zz_app;
GRANT UPDATE (weekdays, every_weeks, anchor_date, valid_from, valid_to, staff_name, staff_phone) ON app.rotation_slots TO zz_app;
GRANT UPDATE (number, name, services, stationing_id, temporary, active, version) ON app.service_windows TO zz_app;
GRANT UPDATE (name, grade, specialties, qualifications, affiliation, affiliation_name, user_id, phone, active,
  updated_at, version) ON app.mediators TO zz_app;
GRANT UPDATE (name, kind, studio_name, chief_mediator_id, capacity, area, location, active, version) ON app.mediation_rooms TO zz_app;
GRANT UPDATE (name, field, active, version) ON app.mediation_committees TO zz_app;
GRANT UPDATE (role) ON app.committee_members TO zz_app;
GRANT UPDATE (during, title, status, version) ON app.bookings TO zz_app;
GRANT UPDATE (during, active) ON app.booking_mediators TO zz_app;
