-- Escalation across tiers (issue #5): ownership moves up (上报) and down (交办); every hop is
-- recorded; the rare sideways hand-over (a county assigning a village's case to a township
-- of another branch) is visible through handler_code, a second code column with the same
-- leakproof range predicate (so the planner still uses indexes: a BitmapOr of two ranges).

ALTER TABLE app.cases
  ADD COLUMN handler_code text COLLATE "C",
  ADD COLUMN hop_state text NOT NULL DEFAULT 'settled' CHECK (hop_state IN ('settled', 'awaiting_sign_for')),
  ADD COLUMN bounces integer NOT NULL DEFAULT 0 CHECK (bounces >= 0),
  ADD COLUMN needs_leader_decision boolean NOT NULL DEFAULT false,
  ADD COLUMN leader_id uuid REFERENCES app.users (id);
ALTER TABLE app.cases DROP CONSTRAINT cases_owner_is_ancestor;
-- Ownership only ever moves to an ancestor of the origin, or to the sideways handler.
ALTER TABLE app.cases ADD CONSTRAINT cases_owner_on_path
  CHECK (starts_with(scope_code, owner_code) OR owner_code = handler_code);
CREATE INDEX cases_handler_idx ON app.cases (handler_code) WHERE handler_code IS NOT NULL;
GRANT UPDATE (handler_code, hop_state, bounces, needs_leader_decision, leader_id) ON app.cases TO zz_app;

DROP POLICY cases_read ON app.cases;
DROP POLICY cases_update ON app.cases;
CREATE POLICY cases_read ON app.cases FOR SELECT TO zz_app USING (
  (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  OR (handler_code >= nullif(current_setting('app.scope', true), '') AND handler_code < nullif(current_setting('app.scope', true), '') || ':'));
CREATE POLICY cases_update ON app.cases FOR UPDATE TO zz_app
  USING (
    (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
    OR (handler_code >= nullif(current_setting('app.scope', true), '') AND handler_code < nullif(current_setting('app.scope', true), '') || ':'))
  WITH CHECK (
    (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
    OR (handler_code >= nullif(current_setting('app.scope', true), '') AND handler_code < nullif(current_setting('app.scope', true), '') || ':'));

-- Every hop of a case across tiers.
CREATE TABLE app.case_hops (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id      uuid NOT NULL REFERENCES app.cases (id),
  scope_code   text COLLATE "C" NOT NULL,
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  kind         text NOT NULL CHECK (kind IN ('escalate', 'sign_for', 'assign_down', 'return', 'leader_decision')),
  from_code    text COLLATE "C" NOT NULL,
  to_code      text COLLATE "C" NOT NULL,
  reason       text CHECK (length(reason) <= 1000),
  instructions text CHECK (length(instructions) <= 2000),
  urgency      text NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
  deadline     timestamptz,
  by_user      uuid,
  at           timestamptz NOT NULL DEFAULT now()
);
SELECT app.apply_case_child_policies('app.case_hops');
CREATE INDEX case_hops_case_idx ON app.case_hops (case_id, at);
GRANT SELECT, INSERT (case_id, kind, from_code, to_code, reason, instructions, urgency, deadline, by_user) ON app.case_hops TO zz_app;

-- A sideways handler works on the case's child rows too.
DO $$
DECLARE t text;
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_parties', 'case_events', 'case_links', 'case_summons', 'mediation_sessions',
    'agreements', 'judicial_confirmations', 'referrals', 'follow_ups', 'attachments', 'case_hops']
  LOOP
    EXECUTE format('DROP POLICY %I ON app.%I', t || '_scope', t);
    EXECUTE format($p$CREATE POLICY %1$I ON app.%2$I FOR ALL TO zz_app
      USING ((scope_code >= %3$s AND scope_code < %3$s || ':') OR case_id IN (SELECT c.id FROM app.cases c
        WHERE c.handler_code >= %3$s AND c.handler_code < %3$s || ':'))
      WITH CHECK ((scope_code >= %3$s AND scope_code < %3$s || ':') OR case_id IN (SELECT c.id FROM app.cases c
        WHERE c.handler_code >= %3$s AND c.handler_code < %3$s || ':'))$p$, t || '_scope', t, s);
  END LOOP;
END $$;

-- The units above the caller in its deployment (for escalation targets and breadcrumbs):
-- a tenant may not read its ancestors' rows, but it may know their names and codes.
CREATE FUNCTION auth.ancestor_units()
RETURNS TABLE (id uuid, code text, name text, level app.tenant_level)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT t.id, t.code::text, t.name, t.level FROM app.tenants t
  WHERE t.code = ANY (ARRAY[left(current_setting('app.scope', true), 2), left(current_setting('app.scope', true), 4),
      left(current_setting('app.scope', true), 6), left(current_setting('app.scope', true), 9)])
    AND length(t.code) < length(current_setting('app.scope', true))
    AND t.root_code = (SELECT r.root_code FROM app.tenants r WHERE r.code = current_setting('app.scope', true))
  ORDER BY length(t.code)
$$;
ALTER FUNCTION auth.ancestor_units() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.ancestor_units() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.ancestor_units() TO zz_app;

-- Notifications: one row per addressed unit; each user marks its own reads. Inserting one
-- NOTIFYs every API instance, which pushes it to the open browsers of that unit (SSE).
CREATE TABLE app.notifications (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  user_id     uuid,
  kind        text NOT NULL CHECK (kind ~ '^[a-z_.]+$'),
  case_id     uuid REFERENCES app.cases (id),
  title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  uuid
);
CREATE INDEX notifications_scope_idx ON app.notifications (scope_code, id DESC);
ALTER TABLE app.notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.notifications FORCE ROW LEVEL SECURITY;
-- A unit reads its own inbox (and a user its personal items).
CREATE POLICY notifications_read ON app.notifications FOR SELECT TO zz_app USING (
  scope_code = nullif(current_setting('app.scope', true), '')
  AND (user_id IS NULL OR user_id = nullif(current_setting('app.user_id', true), '')::uuid));
-- A unit may notify itself, its subtree and its ancestors (escalation goes up).
CREATE POLICY notifications_insert ON app.notifications FOR INSERT TO zz_app WITH CHECK (
  (scope_code >= nullif(current_setting('app.scope', true), '') AND scope_code < nullif(current_setting('app.scope', true), '') || ':')
  OR scope_code IN (left(nullif(current_setting('app.scope', true), ''), 2), left(nullif(current_setting('app.scope', true), ''), 4),
    left(nullif(current_setting('app.scope', true), ''), 6), left(nullif(current_setting('app.scope', true), ''), 9)));
GRANT SELECT, INSERT (scope_code, user_id, kind, case_id, title, created_by) ON app.notifications TO zz_app;

CREATE FUNCTION app.notifications_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zz_notifications', json_build_object('id', NEW.id, 'scope', NEW.scope_code, 'user', NEW.user_id)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER notifications_notify AFTER INSERT ON app.notifications
  FOR EACH ROW EXECUTE FUNCTION app.notifications_notify();

CREATE TABLE app.notification_reads (
  notification_id bigint NOT NULL REFERENCES app.notifications (id) ON DELETE CASCADE,
  user_id         uuid NOT NULL,
  scope_code      text COLLATE "C" NOT NULL,
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  read_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, user_id)
);
ALTER TABLE app.notification_reads ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.notification_reads FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_reads_own ON app.notification_reads FOR ALL TO zz_app
  USING (scope_code = nullif(current_setting('app.scope', true), '') AND user_id = nullif(current_setting('app.user_id', true), '')::uuid)
  WITH CHECK (scope_code = nullif(current_setting('app.scope', true), '') AND user_id = nullif(current_setting('app.user_id', true), '')::uuid);
GRANT SELECT, INSERT (notification_id, user_id, scope_code) ON app.notification_reads TO zz_app;
