-- A sideways handler's access to a case's child rows. 0008 used `case_id IN (SELECT …)`,
-- which no index can serve (a village's count over 120k parties: 50 ms seq scan instead of
-- 0.2 ms). Child rows now carry the case's handler_code, kept in step by trigger, and the
-- policy is two leakproof ranges, each with its own index.

-- Child rows take both codes from their case.
CREATE FUNCTION app.inherit_case_codes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  SELECT scope_code, handler_code INTO c FROM app.cases WHERE id = NEW.case_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case_id not found' USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.scope_code := c.scope_code;
  NEW.handler_code := c.handler_code;
  RETURN NEW;
END $$;

-- The timeline stays unalterable: only the access column may follow its case.
CREATE OR REPLACE FUNCTION app.reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- county_code is generated, so NEW holds no value for it yet in a BEFORE trigger.
  IF TG_OP = 'UPDATE'
     AND (to_jsonb(NEW) - 'handler_code' - 'county_code') = (to_jsonb(OLD) - 'handler_code' - 'county_code') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

DO $$
DECLARE t text;
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_parties', 'case_events', 'case_links', 'case_summons', 'mediation_sessions',
    'agreements', 'judicial_confirmations', 'referrals', 'follow_ups', 'attachments', 'case_hops',
    'case_deadlines', 'supervisions']
  LOOP
    EXECUTE format('ALTER TABLE app.%I ADD COLUMN handler_code text COLLATE "C"', t);
    EXECUTE format('UPDATE app.%1$I x SET handler_code = c.handler_code FROM app.cases c
      WHERE c.id = x.case_id AND c.handler_code IS NOT NULL', t);
    EXECUTE format('CREATE INDEX %I ON app.%I (handler_code)', t || '_handler_idx', t);
    EXECUTE format('DROP TRIGGER %I ON app.%I', t || '_inherit_scope', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON app.%I FOR EACH ROW EXECUTE FUNCTION app.inherit_case_codes()',
      t || '_inherit_codes', t);
    EXECUTE format('DROP POLICY %I ON app.%I', t || '_scope', t);
    EXECUTE format($p$CREATE POLICY %1$I ON app.%2$I FOR ALL TO zz_app
      USING ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))
      WITH CHECK ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))$p$,
      t || '_scope', t, s);
    EXECUTE format('GRANT UPDATE (handler_code) ON app.%I TO zz_app', t);
  END LOOP;
END $$;

-- The case's handler change reaches its child rows in the same transaction.
CREATE FUNCTION app.cases_sync_handler() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_parties', 'case_events', 'case_links', 'case_summons', 'mediation_sessions',
    'agreements', 'judicial_confirmations', 'referrals', 'follow_ups', 'attachments', 'case_hops',
    'case_deadlines', 'supervisions']
  LOOP
    EXECUTE format('UPDATE app.%I SET handler_code = $1 WHERE case_id = $2', t) USING NEW.handler_code, NEW.id;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_sync_handler AFTER UPDATE OF handler_code ON app.cases
  FOR EACH ROW WHEN (NEW.handler_code IS DISTINCT FROM OLD.handler_code)
  EXECUTE FUNCTION app.cases_sync_handler();

-- The cases table's handler index serves the policy for every row (not only non-null ones).
DROP INDEX app.cases_handler_idx;
CREATE INDEX cases_handler_idx ON app.cases (handler_code);

-- Future case child tables get the same shape.
CREATE OR REPLACE FUNCTION app.apply_case_child_policies(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
  name text := replace(p_table::text, 'app.', '');
BEGIN
  EXECUTE format('ALTER TABLE %s ADD COLUMN handler_code text COLLATE "C"', p_table);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format($p$CREATE POLICY %1$I ON %2$s FOR ALL TO zz_app
    USING ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))
    WITH CHECK ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))$p$,
    name || '_scope', p_table, s);
  EXECUTE format('CREATE INDEX %I ON %s (scope_code)', name || '_scope_idx', p_table);
  EXECUTE format('CREATE INDEX %I ON %s (handler_code)', name || '_handler_idx', p_table);
  EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION app.inherit_case_codes()',
    name || '_inherit_codes', p_table);
  EXECUTE format('GRANT UPDATE (handler_code) ON %s TO zz_app', p_table);
END $$;

CREATE INDEX notification_reads_scope_idx ON app.notification_reads (scope_code, user_id);

-- A password hash leaves the database only for a login, which runs with no tenant context.
CREATE OR REPLACE FUNCTION auth.login_lookup(p_username text)
RETURNS TABLE (user_id uuid, tenant_id uuid, scope_code text, password_hash text,
  status app.user_status, tenant_blocked boolean, failed_attempts integer,
  locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
  SELECT u.id, u.tenant_id, u.scope_code, u.password_hash, u.status,
         CASE WHEN u.tenant_id IS NULL THEN false ELSE auth.scope_blocked(u.scope_code) END,
         u.failed_attempts, u.locked_until
  FROM app.users u
  WHERE u.username = lower(p_username) AND nullif(current_setting('app.scope', true), '') IS NULL
$$;

-- Whether a login name is taken anywhere (names are unique across the installation).
CREATE FUNCTION auth.username_taken(p_username text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM app.users WHERE username = lower(p_username))
$$;
ALTER FUNCTION auth.username_taken(text) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.username_taken(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.username_taken(text) TO zz_app;
