-- Separation of duties (三权分立), second part: who is signed in, ending a session and the
-- deployment's second-factor rule are the security administrator's powers (with the auditor
-- watching the sessions, and the operator at the installation), no longer the centre
-- administrator's. The permission table already says so; these functions are the database's own
-- line, so that a service which forgot to check still cannot do it as the runtime role.

CREATE OR REPLACE FUNCTION auth.sessions_online(p_idle interval, p_absolute interval)
RETURNS TABLE (id text, user_id uuid, username text, display_name text, scope_code text, unit_name text,
  created_at timestamptz, last_active_at timestamptz, ip text, user_agent text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'security_admin', 'platform_admin']) THEN RETURN; END IF;
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
  IF s IS NULL OR NOT (r && ARRAY['security_admin', 'platform_admin']) THEN RETURN NULL; END IF;
  DELETE FROM auth.sessions WHERE auth.sessions.id = p_id AND auth.sessions.scope_code >= s
    AND auth.sessions.scope_code < s || ':' RETURNING * INTO x;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT * INTO u FROM app.users WHERE app.users.id = x.user_id;
  PERFORM auth.audit(u.scope_code, u.tenant_id, nullif(current_setting('app.user_id', true), '')::uuid,
    'auth.forced_logout', u.id::text, p_ip,
    jsonb_build_object('user', u.username, 'object', u.display_name || '（' || u.username || '）'));
  RETURN u.id;
END $$;

CREATE OR REPLACE FUNCTION auth.set_require_totp(p boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        t app.tenants;
BEGIN
  IF s IS NULL OR r IS NULL OR NOT (r && ARRAY['security_admin']) THEN
    RAISE EXCEPTION 'the security administrator of the deployment root required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE app.tenants SET require_totp = p, updated_at = now(), version = version + 1
    WHERE code = s AND parent_id IS NULL AND root_code = s RETURNING * INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only the deployment root sets this' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM auth.audit(t.code, t.id, nullif(current_setting('app.user_id', true), '')::uuid,
    'tenant.require_totp', t.id::text, NULL, jsonb_build_object('required', p));
END $$;
