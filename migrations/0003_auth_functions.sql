-- SECURITY DEFINER functions owned by zz_auth. Why: login and session validation happen
-- before any tenant is known, so they must read across tenants; concentrating that power
-- in a few audited functions keeps zz_app itself confined to its scope. Every function
-- pins search_path so that a caller cannot shadow the objects it uses.

-- Is any unit on the path to this scope suspended? (codes are paths: check each prefix)
CREATE FUNCTION auth.scope_blocked(p_scope text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app AS $$
  SELECT EXISTS (
    SELECT 1 FROM app.tenants t
    WHERE t.code = ANY (ARRAY[left(p_scope, 2), left(p_scope, 4), left(p_scope, 6),
                              left(p_scope, 9), p_scope]::text[])
      AND t.status = 'suspended')
$$;

CREATE FUNCTION auth.audit(p_scope text, p_tenant uuid, p_actor uuid, p_kind text,
  p_subject text, p_ip text, p_detail jsonb DEFAULT '{}') RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, app AS $$
  INSERT INTO app.audit_events (scope_code, tenant_id, actor_id, kind, subject_id, ip, detail)
  VALUES (coalesce(p_scope, '!'), p_tenant, p_actor, p_kind, p_subject, p_ip, coalesce(p_detail, '{}'));
$$;

-- The account behind a login name, with what the caller needs to decide.
CREATE FUNCTION auth.login_lookup(p_username text)
RETURNS TABLE (user_id uuid, tenant_id uuid, scope_code text, password_hash text,
  status app.user_status, tenant_blocked boolean, failed_attempts integer,
  locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
  SELECT u.id, u.tenant_id, u.scope_code, u.password_hash, u.status,
         CASE WHEN u.tenant_id IS NULL THEN false ELSE auth.scope_blocked(u.scope_code) END,
         u.failed_attempts, u.locked_until
  FROM app.users u WHERE u.username = lower(p_username)
$$;

-- Count a failed password; the p_max-th failure locks the account for p_lock.
CREATE FUNCTION auth.login_failed(p_user uuid, p_ip text, p_max integer, p_lock interval)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE u app.users;
BEGIN
  UPDATE app.users SET failed_attempts = failed_attempts + 1
    WHERE id = p_user RETURNING * INTO u;
  IF NOT FOUND THEN RETURN NULL; END IF;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.login_failed', u.id::text, p_ip,
    jsonb_build_object('attempt', u.failed_attempts));
  IF u.failed_attempts >= p_max THEN
    UPDATE app.users SET locked_until = now() + p_lock, failed_attempts = 0
      WHERE id = p_user RETURNING * INTO u;
    PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.locked', u.id::text, p_ip,
      jsonb_build_object('until', u.locked_until));
  END IF;
  RETURN u.locked_until;
END $$;

-- A refused login that is not a wrong password (unknown name, locked, disabled, suspended).
CREATE FUNCTION auth.login_refused(p_user uuid, p_username text, p_ip text, p_reason text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE u app.users;
BEGIN
  SELECT * INTO u FROM app.users WHERE id = p_user;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.login_refused',
    coalesce(u.id::text, left(p_username, 48)), p_ip, jsonb_build_object('reason', p_reason));
END $$;

-- Start a session after a verified password: resets the failure counter.
CREATE FUNCTION auth.session_create(p_id text, p_secret_hash bytea, p_user uuid, p_ip text,
  p_user_agent text, p_kind text DEFAULT 'auth.login') RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE u app.users;
BEGIN
  UPDATE app.users SET failed_attempts = 0, locked_until = NULL WHERE id = p_user RETURNING * INTO u;
  IF NOT FOUND THEN RAISE EXCEPTION 'user not found' USING ERRCODE = 'no_data_found'; END IF;
  INSERT INTO auth.sessions (id, secret_hash, user_id, scope_code, ip, user_agent)
    VALUES (p_id, p_secret_hash, p_user, u.scope_code, p_ip, left(p_user_agent, 300));
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, p_kind, u.id::text, p_ip);
END $$;

-- Resolve a session id to its user and tenant, enforcing idle and absolute limits, the
-- user's status and the suspension of any unit on its path. Slides the idle window.
CREATE FUNCTION auth.session_validate(p_id text, p_idle interval, p_absolute interval)
RETURNS TABLE (secret_hash bytea, session_created_at timestamptz, user_id uuid,
  tenant_id uuid, scope_code text, username text, display_name text, roles text[],
  must_change_password boolean, tenant_name text, tenant_level app.tenant_level,
  root_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE s auth.sessions;
BEGIN
  SELECT * INTO s FROM auth.sessions WHERE id = p_id;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.last_active_at + p_idle <= now() OR s.created_at + p_absolute <= now() THEN
    DELETE FROM auth.sessions WHERE id = p_id;
    RETURN;
  END IF;
  IF s.last_active_at < now() - interval '30 seconds' THEN
    UPDATE auth.sessions SET last_active_at = now() WHERE id = p_id;
  END IF;
  RETURN QUERY
    SELECT s.secret_hash, s.created_at, u.id, u.tenant_id, u.scope_code, u.username,
           u.display_name, u.roles, u.must_change_password, t.name, t.level, t.root_code
    FROM app.users u LEFT JOIN app.tenants t ON t.id = u.tenant_id
    WHERE u.id = s.user_id AND u.status = 'active'
      AND (u.tenant_id IS NULL OR NOT auth.scope_blocked(u.scope_code));
END $$;

CREATE FUNCTION auth.session_delete(p_id text, p_ip text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE s auth.sessions; u app.users;
BEGIN
  DELETE FROM auth.sessions WHERE id = p_id RETURNING * INTO s;
  IF NOT FOUND THEN RETURN; END IF;
  SELECT * INTO u FROM app.users WHERE id = s.user_id;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.logout', u.id::text, p_ip);
END $$;

-- Fixed-window rate limit; true when the hit is allowed.
CREATE FUNCTION auth.rate_hit(p_key text, p_limit integer, p_window interval) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth AS $$
DECLARE n integer;
BEGIN
  INSERT INTO auth.rate_limits AS r (key, window_start, hits) VALUES (p_key, now(), 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN r.window_start + p_window <= now() THEN 1 ELSE r.hits + 1 END,
    window_start = CASE WHEN r.window_start + p_window <= now() THEN now() ELSE r.window_start END
  RETURNING hits INTO n;
  RETURN n <= p_limit;
END $$;

-- A setup link: returns what the caller needs to verify it (secret hash, expiry, use).
CREATE FUNCTION auth.setup_token_lookup(p_id text)
RETURNS TABLE (secret_hash bytea, user_id uuid, username text, display_name text,
  expires_at timestamptz, used_at timestamptz, blocked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
  SELECT t.secret_hash, u.id, u.username, u.display_name, t.expires_at, t.used_at,
         u.status <> 'active' OR (u.tenant_id IS NOT NULL AND auth.scope_blocked(u.scope_code))
  FROM app.user_setup_tokens t JOIN app.users u ON u.id = t.user_id WHERE t.id = p_id
$$;

-- Spend a verified setup link: sets the chosen password; the link can never be used again.
CREATE FUNCTION auth.setup_token_complete(p_id text, p_password_hash text, p_ip text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE t app.user_setup_tokens; u app.users;
BEGIN
  UPDATE app.user_setup_tokens SET used_at = now()
    WHERE id = p_id AND used_at IS NULL AND expires_at > now() RETURNING * INTO t;
  IF NOT FOUND THEN RETURN NULL; END IF;
  UPDATE app.users SET password_hash = p_password_hash, must_change_password = false,
    password_changed_at = now(), failed_attempts = 0, locked_until = NULL, updated_at = now(),
    version = version + 1
    WHERE id = t.user_id RETURNING * INTO u;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.setup_completed', u.id::text, p_ip);
  RETURN u.id;
END $$;

-- The current user's own password hash, for verifying "current password" on change.
CREATE FUNCTION auth.own_password_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app AS $$
  SELECT password_hash FROM app.users
  WHERE id = nullif(current_setting('app.user_id', true), '')::uuid
$$;

-- Security audit, read back only for auditors and admins, within the caller's scope.
CREATE FUNCTION auth.audit_list(p_limit integer, p_before bigint)
RETURNS SETOF app.audit_events
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'tenant_admin', 'platform_admin']) THEN RETURN; END IF;
  RETURN QUERY SELECT * FROM app.audit_events e
    WHERE e.scope_code >= s AND e.scope_code < s || ':'
      AND (p_before IS NULL OR e.id < p_before)
    ORDER BY e.id DESC LIMIT least(p_limit, 500);
END $$;

-- Operators create deployments: a root unit at any level that overlaps no other deployment.
CREATE FUNCTION auth.platform_create_deployment(p_code text, p_level app.tenant_level, p_name text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        id uuid;
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN
    RAISE EXCEPTION 'platform_admin required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('platform_create_deployment'));
  IF EXISTS (SELECT 1 FROM app.tenants t
             WHERE starts_with(t.code, p_code) OR starts_with(p_code, t.code)) THEN
    RAISE EXCEPTION 'deployment overlaps an existing one' USING ERRCODE = 'unique_violation',
      CONSTRAINT = 'deployments_do_not_overlap';
  END IF;
  INSERT INTO app.tenants (code, level, parent_id, root_code, name)
    VALUES (p_code, p_level, NULL, p_code, p_name) RETURNING tenants.id INTO id;
  PERFORM auth.audit('!', NULL, nullif(current_setting('app.user_id', true), '')::uuid,
    'platform.deployment_created', p_code, NULL);
  RETURN id;
END $$;

CREATE FUNCTION auth.platform_list_deployments()
RETURNS TABLE (id uuid, code text, level app.tenant_level, name text,
  status app.tenant_status, created_at timestamptz, tenants bigint, users bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN RETURN; END IF;
  RETURN QUERY
    SELECT t.id, t.code::text, t.level, t.name, t.status, t.created_at,
      (SELECT count(*) FROM app.tenants c WHERE c.root_code = t.code),
      (SELECT count(*) FROM app.users u WHERE u.scope_code >= t.code AND u.scope_code < t.code || ':')
    FROM app.tenants t WHERE t.parent_id IS NULL ORDER BY t.code;
END $$;

CREATE FUNCTION auth.platform_set_deployment_status(p_id uuid, p_status app.tenant_status)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN
    RAISE EXCEPTION 'platform_admin required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE app.tenants SET status = p_status, updated_at = now(), version = version + 1
    WHERE id = p_id AND parent_id IS NULL;
  IF FOUND AND p_status = 'suspended' THEN
    DELETE FROM auth.sessions s WHERE s.scope_code >= (SELECT code FROM app.tenants WHERE id = p_id)
      AND s.scope_code < (SELECT code FROM app.tenants WHERE id = p_id) || ':';
  END IF;
  RETURN FOUND;
END $$;

DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
           JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'auth'
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f.sig);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.sig);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f.sig);
  END LOOP;
END $$;
-- The trigger function is not for calling directly.
REVOKE EXECUTE ON FUNCTION auth.users_revoke_sessions() FROM zz_app;
GRANT INSERT ON app.tenants TO zz_auth;
CREATE POLICY tenants_platform_insert ON app.tenants FOR INSERT TO zz_auth WITH CHECK (parent_id IS NULL);
CREATE POLICY tenants_platform_update ON app.tenants FOR UPDATE TO zz_auth USING (parent_id IS NULL);
GRANT UPDATE (status, updated_at, version) ON app.tenants TO zz_auth;
