-- Separation of duties (三权分立, MLPS level 3, GB/T 22239-2019 8.1.4.2): the system
-- administrator (tenant_admin; platform_admin at the installation), the security administrator
-- (security_admin, new) and the audit administrator (auditor) are distinct roles that one account
-- cannot combine; role grants are the security administrator's (the operator grants a new
-- deployment's first administrator); only audit administrators read the audit and operation
-- logs. The permission table (packages/domain/src/permissions.ts, ADMIN_POWERS in roles.ts)
-- says the same; this is the line the runtime role cannot cross whatever the API does.

ALTER TABLE app.users DROP CONSTRAINT users_roles_check;
ALTER TABLE app.users ADD CONSTRAINT users_roles_check CHECK (
  cardinality(roles) > 0 AND roles <@ ARRAY['platform_admin', 'tenant_admin', 'security_admin', 'intake_clerk',
    'mediator', 'department_liaison', 'grid_worker', 'leader', 'auditor']);

-- An existing account that combines powers must be split by a person before this applies:
-- the migration names how many there are rather than choosing which power each keeps.
DO $$
DECLARE n integer;
BEGIN
  SELECT count(*) INTO n FROM app.users
  WHERE (roles && ARRAY['platform_admin', 'tenant_admin'])::int + (roles && ARRAY['security_admin'])::int
    + (roles && ARRAY['auditor'])::int > 1;
  IF n > 0 THEN
    RAISE EXCEPTION '% account(s) combine system, security and audit administration; split them first', n;
  END IF;
END $$;
ALTER TABLE app.users ADD CONSTRAINT users_separation_of_duties CHECK (
  (roles && ARRAY['platform_admin', 'tenant_admin'])::int + (roles && ARRAY['security_admin'])::int
    + (roles && ARRAY['auditor'])::int <= 1);

-- Role grants through the runtime role: changing any role of an existing account, or creating
-- one with an administrative role, needs a security administrator (or the operator, who creates
-- a deployment's first administrator), except a newly onboarded unit's first account as its
-- centre administrator (made by the administrator above); nobody changes their own roles. The migration runner and
-- the command-line tools (other roles) are outside this rule.
CREATE FUNCTION app.users_guard_role_grants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE caller text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        admin_roles text[] := ARRAY['platform_admin', 'tenant_admin', 'security_admin', 'auditor'];
BEGIN
  IF current_user <> 'zz_app' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND NEW.roles @> OLD.roles AND OLD.roles @> NEW.roles THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' AND NOT (NEW.roles && admin_roles) THEN RETURN NEW; END IF;
  -- Onboarding: a unit below the caller's with no account yet gets its centre administrator.
  IF TG_OP = 'INSERT' AND NOT (NEW.roles && ARRAY['platform_admin', 'security_admin', 'auditor'])
      AND NEW.scope_code > current_setting('app.scope', true)
      AND NOT EXISTS (SELECT FROM app.users u WHERE u.tenant_id = NEW.tenant_id) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.id::text = current_setting('app.user_id', true) THEN
    RAISE EXCEPTION 'nobody changes their own roles'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'users_roles_not_own';
  END IF;
  IF NOT coalesce(caller && ARRAY['security_admin', 'platform_admin'], false) THEN
    RAISE EXCEPTION 'only a security administrator grants or withdraws roles'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'users_roles_granted_by_security';
  END IF;
  RETURN NEW;
END $$;
-- Named to fire after users_set_scope (BEFORE triggers run in name order): the new scope is known.
CREATE TRIGGER users_sod_guard BEFORE INSERT OR UPDATE OF roles ON app.users
  FOR EACH ROW EXECUTE FUNCTION app.users_guard_role_grants();

-- Only audit administrators read the logs (the definer functions repeat the table's audit.read).
CREATE OR REPLACE FUNCTION auth.audit_list(p_limit integer, p_before bigint)
RETURNS TABLE (id bigint, at timestamptz, scope_code text, tenant_id uuid, actor_id uuid, actor_username text,
  actor_name text, kind text, subject_id text, ip text, request_id text, detail jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor']) THEN RETURN; END IF;
  RETURN QUERY SELECT e.id, e.at, e.scope_code::text, e.tenant_id, e.actor_id, u.username, u.display_name, e.kind,
      e.subject_id, e.ip, e.request_id, e.detail
    FROM app.audit_events e LEFT JOIN app.users u ON u.id = e.actor_id
    WHERE e.scope_code >= s AND e.scope_code < s || ':'
      AND e.kind NOT LIKE 'op.%'
      AND (p_before IS NULL OR e.id < p_before)
    ORDER BY e.id DESC LIMIT least(p_limit, 500);
END $$;

CREATE OR REPLACE FUNCTION auth.audit_search(p_log text, p_actor text, p_unit text, p_kind text, p_object text,
  p_from timestamptz, p_to timestamptz, p_limit integer, p_before bigint)
RETURNS TABLE (id bigint, at timestamptz, scope_code text, unit_name text, actor_id uuid, actor_username text,
  actor_name text, kind text, subject_id text, ip text, request_id text, detail jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor']) THEN RETURN; END IF;
  IF p_unit IS NOT NULL AND NOT (p_unit >= s AND p_unit < s || ':') THEN RETURN; END IF;
  RETURN QUERY SELECT e.id, e.at, e.scope_code::text, t.name, e.actor_id, u.username::text, u.display_name, e.kind,
      e.subject_id, e.ip, e.request_id, e.detail
    FROM app.audit_events e
    LEFT JOIN app.users u ON u.id = e.actor_id
    LEFT JOIN app.tenants t ON t.code = e.scope_code
    WHERE e.scope_code >= coalesce(p_unit, s) AND e.scope_code < coalesce(p_unit, s) || ':'
      AND CASE p_log
        WHEN 'sign_in' THEN e.kind LIKE 'auth.%'
        ELSE e.kind LIKE 'op.%' OR e.kind = 'personal_data.revealed'
      END
      AND (p_actor IS NULL OR strpos(u.username::text, p_actor) > 0 OR strpos(u.display_name, p_actor) > 0)
      AND (p_kind IS NULL OR e.kind = p_kind)
      AND (p_object IS NULL OR strpos(coalesce(e.detail->>'object', ''), p_object) > 0
        OR strpos(coalesce(e.subject_id, ''), p_object) > 0)
      AND (p_from IS NULL OR e.at >= p_from)
      AND (p_to IS NULL OR e.at < p_to)
      AND (p_before IS NULL OR e.id < p_before)
    ORDER BY e.id DESC LIMIT least(p_limit, 500);
END $$;

-- The security administrator also sees who is signed in (session.read) and may end a session.
CREATE OR REPLACE FUNCTION auth.sessions_online(p_idle interval, p_absolute interval)
RETURNS TABLE (id text, user_id uuid, username text, display_name text, scope_code text, unit_name text,
  created_at timestamptz, last_active_at timestamptz, ip text, user_agent text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'tenant_admin', 'security_admin', 'platform_admin']) THEN RETURN; END IF;
  RETURN QUERY SELECT x.id, u.id, u.username::text, u.display_name, x.scope_code::text, t.name, x.created_at,
      x.last_active_at, x.ip, x.user_agent
    FROM auth.sessions x
    JOIN app.users u ON u.id = x.user_id AND u.status = 'active'
    LEFT JOIN app.tenants t ON t.id = u.tenant_id
    WHERE x.scope_code >= s AND x.scope_code < s || ':'
      AND x.last_active_at + p_idle > now() AND x.created_at + p_absolute > now()
    ORDER BY x.last_active_at DESC LIMIT 1000;
END $$;

CREATE OR REPLACE FUNCTION auth.session_revoke(p_id text, p_ip text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        x auth.sessions; u app.users;
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['tenant_admin', 'security_admin', 'platform_admin']) THEN RETURN NULL; END IF;
  DELETE FROM auth.sessions WHERE auth.sessions.id = p_id AND auth.sessions.scope_code >= s
    AND auth.sessions.scope_code < s || ':' RETURNING * INTO x;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT * INTO u FROM app.users WHERE app.users.id = x.user_id;
  PERFORM auth.audit(u.scope_code, u.tenant_id, nullif(current_setting('app.user_id', true), '')::uuid,
    'auth.forced_logout', u.id::text, p_ip,
    jsonb_build_object('user', u.username, 'object', u.display_name || '（' || u.username || '）'));
  RETURN u.id;
END $$;

-- The second-factor policy is also the security administrator's (mfa.require).
CREATE OR REPLACE FUNCTION auth.set_require_totp(p boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        t app.tenants;
BEGIN
  IF s IS NULL OR r IS NULL OR NOT (r && ARRAY['tenant_admin', 'security_admin']) THEN
    RAISE EXCEPTION 'an administrator of the deployment root required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE app.tenants SET require_totp = p, updated_at = now(), version = version + 1
    WHERE code = s AND parent_id IS NULL AND root_code = s RETURNING * INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only the deployment root sets this' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM auth.audit(t.code, t.id, nullif(current_setting('app.user_id', true), '')::uuid,
    'tenant.require_totp', t.id::text, NULL, jsonb_build_object('required', p));
END $$;
