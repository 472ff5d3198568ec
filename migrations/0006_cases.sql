-- Cases (issue #4): one case, one code; parties with encrypted personal data; an append-only,
-- hash-chained timeline; summons (吹哨报到); mediation sessions; agreements; judicial
-- confirmation; referrals; follow-ups; attachments; idempotent intake.
--
-- Visibility: a case carries its origin unit's code in scope_code; the unit and every ancestor
-- read it (subtree range). owner_code is who handles it now (escalation, issue #5).

CREATE TABLE ref.case_categories (
  code  text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
  name  text NOT NULL,
  sort  integer NOT NULL,
  -- Matters that go to litigation-mediation docking (诉调对接) by default.
  docking boolean NOT NULL DEFAULT false
);
ALTER TABLE ref.case_categories ENABLE ROW LEVEL SECURITY;
ALTER TABLE ref.case_categories FORCE ROW LEVEL SECURITY;
CREATE POLICY case_categories_read ON ref.case_categories FOR SELECT TO zz_app USING (true);
CREATE POLICY case_categories_owner ON ref.case_categories FOR ALL TO zz_owner USING (true) WITH CHECK (true);
GRANT SELECT ON ref.case_categories TO zz_app;
INSERT INTO ref.case_categories (code, name, sort, docking) VALUES
  ('marriage_family', '婚姻家庭', 10, false), ('neighbour', '邻里纠纷', 20, false),
  ('labour', '劳动争议/欠薪', 30, true), ('land', '土地/山林', 40, true), ('property', '物业纠纷', 50, false),
  ('traffic', '道路交通', 60, true), ('medical', '医疗纠纷', 70, false), ('demolition', '征地拆迁', 80, true),
  ('contract', '合同/债务', 90, false), ('consumer', '消费纠纷', 100, false), ('petition', '信访事项', 110, false),
  ('other', '其他', 999, false);

CREATE TABLE app.case_categories (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  code        text NOT NULL CHECK (code ~ '^x_[a-z0-9_]{1,38}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
  docking     boolean NOT NULL DEFAULT false,
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  UNIQUE (scope_code, code)
);
SELECT app.apply_config_policies('app.case_categories', true);
GRANT SELECT, INSERT ON app.case_categories TO zz_app;
GRANT UPDATE (name, docking, active, version) ON app.case_categories TO zz_app;

CREATE TYPE app.case_state AS ENUM ('registered', 'returned', 'accepted', 'triaged', 'in_mediation', 'on_hold',
  'resolved', 'not_resolved', 'referred', 'awaiting_follow_up', 'reopened', 'closed', 'archived', 'cancelled', 'duplicate');
CREATE TYPE app.case_channel AS ENUM ('visit', 'grid_patrol', 'department_transfer', 'township_report',
  'hotline_12345', 'online', 'phone');
CREATE TYPE app.risk_grade AS ENUM ('red', 'yellow', 'blue', 'none');

-- Gapless numbering per unit and year: the counter row is locked by the registering
-- transaction, so a rolled-back registration gives its number back.
CREATE TABLE app.case_counters (
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  year        integer NOT NULL,
  last        integer NOT NULL,
  PRIMARY KEY (scope_code, year)
);

CREATE TABLE app.cases (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code      text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  owner_code      text COLLATE "C" NOT NULL,
  code            text COLLATE "C" NOT NULL UNIQUE,
  year            integer NOT NULL,
  seq             integer NOT NULL,
  category_code   text NOT NULL,
  channel         app.case_channel NOT NULL,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
  description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 5000),
  location_code   text COLLATE "C" NOT NULL,
  address_enc     bytea,
  address_masked  text,
  people_count    integer NOT NULL DEFAULT 1 CHECK (people_count BETWEEN 1 AND 100000),
  amount_cents    bigint CHECK (amount_cents >= 0),
  group_dispute   boolean NOT NULL DEFAULT false,
  risk_grade      app.risk_grade NOT NULL DEFAULT 'none',
  difficulty      text NOT NULL DEFAULT 'simple' CHECK (difficulty IN ('simple', 'complex')),
  status          app.case_state NOT NULL DEFAULT 'registered',
  held_from       app.case_state,
  hold_until      date,
  route           jsonb,
  mediator_id     uuid REFERENCES app.mediators (id),
  room_id         uuid REFERENCES app.mediation_rooms (id),
  window_id       uuid REFERENCES app.service_windows (id),
  committee_id    uuid REFERENCES app.mediation_committees (id),
  duplicate_of    uuid REFERENCES app.cases (id),
  -- HMAC of code + last 4 digits of the applicant's phone, for the public lookup.
  lookup_digest   bytea,
  registered_by   uuid,
  registered_at   timestamptz NOT NULL DEFAULT now(),
  accepted_at     timestamptz,
  resolved_at     timestamptz,
  closed_at       timestamptz,
  archived_at     timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  event_seq       integer NOT NULL DEFAULT 0,
  last_hash       bytea,
  CONSTRAINT cases_seq_unique UNIQUE (scope_code, year, seq),
  CONSTRAINT cases_code_shape CHECK (code = scope_code || '-' || year || '-' || lpad(seq::text, 6, '0')),
  CONSTRAINT cases_location_in_scope CHECK (starts_with(location_code, left(scope_code, 6))),
  CONSTRAINT cases_owner_is_ancestor CHECK (starts_with(scope_code, owner_code)),
  CONSTRAINT cases_hold CHECK ((status = 'on_hold') = (held_from IS NOT NULL))
);
CREATE INDEX cases_scope_idx ON app.cases (scope_code, registered_at DESC);
CREATE INDEX cases_owner_idx ON app.cases (owner_code, status);
CREATE INDEX cases_status_idx ON app.cases (status);
ALTER TABLE app.cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cases_read ON app.cases FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY cases_insert ON app.cases FOR INSERT TO zz_app
  WITH CHECK (scope_code = nullif(current_setting('app.scope', true), ''));
-- An ancestor may act on its descendants' cases (supervise, take over, assign down).
CREATE POLICY cases_update ON app.cases FOR UPDATE TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  WITH CHECK (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
GRANT SELECT ON app.cases TO zz_app;
GRANT INSERT (scope_code, owner_code, code, year, seq, category_code, channel, title, description, location_code,
  address_enc, address_masked, people_count, amount_cents, group_dispute, risk_grade, difficulty, lookup_digest,
  registered_by) ON app.cases TO zz_app;
GRANT UPDATE (owner_code, category_code, title, description, people_count, amount_cents, group_dispute, risk_grade,
  difficulty, status, held_from, hold_until, route, mediator_id, room_id, window_id, committee_id, duplicate_of,
  accepted_at, resolved_at, closed_at, archived_at, updated_at, version, event_seq, last_hash) ON app.cases TO zz_app;
CREATE TRIGGER cases_visible BEFORE INSERT OR UPDATE ON app.cases
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('mediator_id', 'app.mediators', 'room_id', 'app.mediation_rooms',
    'window_id', 'app.service_windows', 'committee_id', 'app.mediation_committees', 'duplicate_of', 'app.cases');

ALTER TABLE app.case_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.case_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY case_counters_own ON app.case_counters FOR ALL TO zz_app
  USING (scope_code = nullif(current_setting('app.scope', true), ''))
  WITH CHECK (scope_code = nullif(current_setting('app.scope', true), ''));
GRANT SELECT, INSERT (scope_code, year, last), UPDATE (last) ON app.case_counters TO zz_app;

-- Standard policies of a table hanging off a case: same scope as the case; the case's unit
-- and its ancestors read and write it.
CREATE FUNCTION app.apply_case_child_policies(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
  subtree text := format('(scope_code >= %1$s AND scope_code < %1$s || '':'')', s);
  name text := replace(p_table::text, 'app.', '');
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format('CREATE POLICY %I ON %s FOR ALL TO zz_app USING (%s) WITH CHECK (%s)', name || '_scope', p_table, subtree, subtree);
  EXECUTE format('CREATE INDEX %I ON %s (scope_code)', name || '_scope_idx', p_table);
  EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION app.inherit_scope(%L, %L)',
    name || '_inherit_scope', p_table, 'app.cases', 'case_id');
END $$;
REVOKE ALL ON FUNCTION app.apply_case_child_policies(regclass) FROM PUBLIC;

CREATE TYPE app.party_role AS ENUM ('applicant', 'respondent', 'third_party');

-- Parties. Personal numbers are stored only encrypted (SM4), found through blind indexes
-- (HMAC-SM3), and shown masked; the plaintext never reaches a log or an unprivileged reply.
CREATE TABLE app.case_parties (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id         uuid NOT NULL REFERENCES app.cases (id),
  scope_code      text COLLATE "C" NOT NULL,
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  role            app.party_role NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('person', 'organisation')),
  name_enc        bytea NOT NULL,
  name_masked     text NOT NULL,
  id_number_enc   bytea,
  id_number_index bytea,
  id_number_masked text,
  phone_enc       bytea,
  phone_index     bytea,
  phone_masked    text,
  address_enc     bytea,
  address_masked  text,
  org_code        text CHECK (org_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
  created_at      timestamptz NOT NULL DEFAULT now()
);
SELECT app.apply_case_child_policies('app.case_parties');
CREATE INDEX case_parties_case_idx ON app.case_parties (case_id);
CREATE INDEX case_parties_id_index_idx ON app.case_parties (id_number_index) WHERE id_number_index IS NOT NULL;
CREATE INDEX case_parties_phone_index_idx ON app.case_parties (phone_index) WHERE phone_index IS NOT NULL;
GRANT SELECT, INSERT ON app.case_parties TO zz_app;

-- The timeline: append-only and hash-chained per case.
CREATE TABLE app.case_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id     uuid NOT NULL REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  seq         integer NOT NULL,
  at          timestamptz NOT NULL,
  actor_id    uuid,
  actor_scope text COLLATE "C",
  kind        text NOT NULL CHECK (kind ~ '^[a-z_.]+$'),
  payload     jsonb NOT NULL DEFAULT '{}',
  prev_hash   bytea,
  hash        bytea NOT NULL,
  UNIQUE (case_id, seq)
);
SELECT app.apply_case_child_policies('app.case_events');
GRANT SELECT, INSERT (case_id, actor_id, actor_scope, kind, payload) ON app.case_events TO zz_app;

-- The exact bytes an event's hash covers; `pnpm audit:verify` recomputes the same.
CREATE FUNCTION app.case_event_digest(p_prev bytea, p_case uuid, p_seq integer, p_at timestamptz,
  p_actor uuid, p_kind text, p_payload jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(coalesce(p_prev, ''::bytea) || convert_to(concat_ws('|', p_case::text, p_seq::text,
    to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), coalesce(p_actor::text, ''), p_kind,
    p_payload::text), 'UTF8'))
$$;

CREATE FUNCTION app.case_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  -- The case row lock serialises appends to one case's chain.
  SELECT event_seq, last_hash INTO c FROM app.cases WHERE id = NEW.case_id FOR UPDATE;
  IF NOT FOUND THEN RAISE EXCEPTION 'case not found' USING ERRCODE = 'foreign_key_violation'; END IF;
  NEW.seq := c.event_seq + 1;
  NEW.at := clock_timestamp();
  NEW.prev_hash := c.last_hash;
  NEW.hash := app.case_event_digest(NEW.prev_hash, NEW.case_id, NEW.seq, NEW.at, NEW.actor_id, NEW.kind, NEW.payload);
  UPDATE app.cases SET event_seq = NEW.seq, last_hash = NEW.hash WHERE id = NEW.case_id;
  RETURN NEW;
END $$;
CREATE TRIGGER case_events_chain BEFORE INSERT ON app.case_events
  FOR EACH ROW EXECUTE FUNCTION app.case_events_chain();

-- Why a trigger as well as privileges: the timeline must be unalterable even for the owner.
CREATE FUNCTION app.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER case_events_append_only BEFORE UPDATE OR DELETE ON app.case_events
  FOR EACH ROW EXECUTE FUNCTION app.reject_change();
CREATE TRIGGER case_events_no_truncate BEFORE TRUNCATE ON app.case_events
  FOR EACH STATEMENT EXECUTE FUNCTION app.reject_change();

-- Related cases: repeat claimants (same ID number) and explicit links.
CREATE TABLE app.case_links (
  case_id     uuid NOT NULL REFERENCES app.cases (id),
  related_id  uuid NOT NULL REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  reason      text NOT NULL CHECK (reason IN ('repeat_claimant', 'related', 'duplicate')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (case_id, related_id, reason)
);
SELECT app.apply_case_child_policies('app.case_links');
CREATE TRIGGER case_links_visible BEFORE INSERT ON app.case_links
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('related_id', 'app.cases');
GRANT SELECT, INSERT ON app.case_links TO zz_app;

-- Intake retries: the first result of a key is the answer to every retry.
CREATE TABLE app.idempotency_keys (
  scope_code   text COLLATE "C" NOT NULL,
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  key          text NOT NULL CHECK (length(key) BETWEEN 8 AND 100),
  user_id      uuid,
  request_hash text NOT NULL,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope_code, key)
);
ALTER TABLE app.idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON app.idempotency_keys FOR ALL TO zz_app
  USING (scope_code = nullif(current_setting('app.scope', true), ''))
  WITH CHECK (scope_code = nullif(current_setting('app.scope', true), ''));
GRANT SELECT, INSERT (scope_code, key, user_id, request_hash, response), UPDATE (response) ON app.idempotency_keys TO zz_app;

-- Whistle & report (吹哨报到): a department summoned to a case. The clock runs from the summons.
CREATE TABLE app.case_summons (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id               uuid NOT NULL REFERENCES app.cases (id),
  scope_code            text COLLATE "C" NOT NULL,
  county_code           text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  stationing_id         uuid NOT NULL REFERENCES app.stationings (id),
  summoned_by           uuid,
  summoned_at           timestamptz NOT NULL DEFAULT now(),
  due_at                timestamptz NOT NULL,
  objection_deadline    timestamptz NOT NULL,
  instructions          text CHECK (length(instructions) <= 1000),
  status                text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'acknowledged', 'objected', 'done')),
  acknowledged_at       timestamptz,
  acknowledged_by       uuid,
  objected_at           timestamptz,
  objection_reason      text,
  objection_responsible text,
  action                text,
  feedback              text,
  feedback_at           timestamptz,
  version               integer NOT NULL DEFAULT 1,
  CONSTRAINT case_summons_once UNIQUE (case_id, stationing_id, summoned_at)
);
SELECT app.apply_case_child_policies('app.case_summons');
CREATE INDEX case_summons_stationing_idx ON app.case_summons (stationing_id, status);
CREATE TRIGGER case_summons_visible BEFORE INSERT ON app.case_summons
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('stationing_id', 'app.stationings');
GRANT SELECT, INSERT (case_id, stationing_id, summoned_by, due_at, objection_deadline, instructions) ON app.case_summons TO zz_app;
GRANT UPDATE (status, acknowledged_at, acknowledged_by, objected_at, objection_reason, objection_responsible, action,
  feedback, feedback_at, version) ON app.case_summons TO zz_app;

-- Mediation sessions (each books a room through app.bookings).
CREATE TABLE app.mediation_sessions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id     uuid NOT NULL REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  booking_id  uuid REFERENCES app.bookings (id),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  attendance  jsonb NOT NULL DEFAULT '[]',
  notes       text CHECK (length(notes) <= 10000),
  outcome     text CHECK (outcome IN ('continued', 'agreement', 'failed')),
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CHECK (ends_at > starts_at)
);
SELECT app.apply_case_child_policies('app.mediation_sessions');
GRANT SELECT, INSERT (case_id, booking_id, starts_at, ends_at, attendance, notes, outcome, created_by),
  UPDATE (attendance, notes, outcome, version) ON app.mediation_sessions TO zz_app;

-- Mediation agreements with the content the law requires (人民调解法 art. 29).
CREATE TABLE app.agreements (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id              uuid NOT NULL REFERENCES app.cases (id),
  scope_code           text COLLATE "C" NOT NULL,
  county_code          text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  signed_on            date NOT NULL,
  facts                text NOT NULL CHECK (length(facts) BETWEEN 1 AND 10000),
  disputed_matters     text NOT NULL CHECK (length(disputed_matters) BETWEEN 1 AND 5000),
  terms                text NOT NULL CHECK (length(terms) BETWEEN 1 AND 10000),
  performance_manner   text NOT NULL CHECK (length(performance_manner) BETWEEN 1 AND 1000),
  performance_place    text NOT NULL CHECK (length(performance_place) BETWEEN 1 AND 200),
  performance_deadline date NOT NULL,
  mediator_names       text[] NOT NULL,
  performance_status   text NOT NULL DEFAULT 'pending' CHECK (performance_status IN ('pending', 'partly', 'performed', 'breached')),
  performance_note     text,
  created_by           uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  version              integer NOT NULL DEFAULT 1,
  CHECK (performance_deadline >= signed_on)
);
SELECT app.apply_case_child_policies('app.agreements');
GRANT SELECT, INSERT (case_id, signed_on, facts, disputed_matters, terms, performance_manner, performance_place,
  performance_deadline, mediator_names, created_by), UPDATE (performance_status, performance_note, version) ON app.agreements TO zz_app;

-- Judicial confirmation (司法确认): apply within 30 days; the court accepts within 3, rules within 15 (+10).
CREATE TABLE app.judicial_confirmations (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id       uuid NOT NULL REFERENCES app.cases (id),
  agreement_id  uuid NOT NULL REFERENCES app.agreements (id),
  scope_code    text COLLATE "C" NOT NULL,
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  court_name    text NOT NULL CHECK (length(court_name) BETWEEN 1 AND 60),
  applied_on    date NOT NULL,
  accept_due    date NOT NULL,
  accepted_on   date,
  rule_due      date,
  extended      boolean NOT NULL DEFAULT false,
  ruled_on      date,
  result        text NOT NULL DEFAULT 'pending' CHECK (result IN ('pending', 'accepted', 'confirmed', 'rejected', 'not_accepted')),
  result_note   text,
  version       integer NOT NULL DEFAULT 1,
  UNIQUE (agreement_id)
);
SELECT app.apply_case_child_policies('app.judicial_confirmations');
GRANT SELECT, INSERT (case_id, agreement_id, court_name, applied_on, accept_due), UPDATE (accepted_on, rule_due, extended,
  ruled_on, result, result_note, version) ON app.judicial_confirmations TO zz_app;

CREATE TABLE app.referrals (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL REFERENCES app.cases (id),
  scope_code     text COLLATE "C" NOT NULL,
  county_code    text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  kind           text NOT NULL CHECK (kind IN ('arbitration', 'litigation', 'administrative')),
  receiving_body text NOT NULL CHECK (length(receiving_body) BETWEEN 1 AND 100),
  referred_at    timestamptz NOT NULL DEFAULT now(),
  result         text,
  result_at      timestamptz
);
SELECT app.apply_case_child_policies('app.referrals');
GRANT SELECT, INSERT (case_id, kind, receiving_body), UPDATE (result, result_at) ON app.referrals TO zz_app;

-- Follow-up visits (回访) and satisfaction.
CREATE TABLE app.follow_ups (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id            uuid NOT NULL REFERENCES app.cases (id),
  scope_code         text COLLATE "C" NOT NULL,
  county_code        text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  method             text NOT NULL CHECK (method IN ('phone', 'visit', 'on_site')),
  satisfaction       text NOT NULL CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')),
  notes              text CHECK (length(notes) <= 2000),
  override_reason    text CHECK (length(override_reason) <= 1000),
  by_user            uuid,
  at                 timestamptz NOT NULL DEFAULT now()
);
SELECT app.apply_case_child_policies('app.follow_ups');
GRANT SELECT, INSERT (case_id, method, satisfaction, notes, override_reason, by_user) ON app.follow_ups TO zz_app;

-- Attachments: bytes live outside the database behind a storage interface; this is the index.
CREATE TABLE app.attachments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id     uuid NOT NULL REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  storage_key text NOT NULL UNIQUE,
  filename    text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
  mime        text NOT NULL,
  size_bytes  integer NOT NULL CHECK (size_bytes > 0),
  sha256      text NOT NULL,
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL DEFAULT now()
);
SELECT app.apply_case_child_policies('app.attachments');
GRANT SELECT, INSERT (case_id, storage_key, filename, mime, size_bytes, sha256, uploaded_by) ON app.attachments TO zz_app;

-- Public lookup by code (一码可查): stages and dates only, never names, numbers or free text.
CREATE FUNCTION auth.public_case_lookup(p_code text, p_digest bytea)
RETURNS TABLE (code text, status app.case_state, category text, registered_at timestamptz, accepted_at timestamptz,
  resolved_at timestamptz, closed_at timestamptz, stages jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, ref AS $$
  SELECT c.code, c.status, coalesce(rc.name, '其他'), c.registered_at, c.accepted_at, c.resolved_at, c.closed_at,
    coalesce((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'at', e.at) ORDER BY e.seq)
      FROM app.case_events e WHERE e.case_id = c.id AND e.kind LIKE 'case.%'), '[]')
  FROM app.cases c LEFT JOIN ref.case_categories rc ON rc.code = c.category_code
  WHERE c.code = p_code AND c.lookup_digest = p_digest
$$;
ALTER FUNCTION auth.public_case_lookup(text, bytea) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.public_case_lookup(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.public_case_lookup(text, bytea) TO zz_app;
GRANT SELECT ON app.cases, app.case_events TO zz_auth;
GRANT SELECT ON ref.case_categories TO zz_auth;
CREATE POLICY cases_auth ON app.cases FOR SELECT TO zz_auth USING (true);
CREATE POLICY case_events_auth ON app.case_events FOR SELECT TO zz_auth USING (true);
CREATE POLICY case_categories_auth ON ref.case_categories FOR SELECT TO zz_auth USING (true);
