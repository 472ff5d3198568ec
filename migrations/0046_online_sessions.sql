-- Online users (在线用户) and forced sign-out (强制退出), issue 12 §4. auth.sessions stays
-- readable by zz_auth only (it holds the secrets' hashes); these definer functions show an
-- administrator the live sessions of its own subtree, without the hashes, and end one.
-- Why a role gate here as well as the permission table: the function runs as zz_auth, past
-- RLS, so it repeats the table's audit.read roles and never looks outside app.scope's subtree.

CREATE INDEX sessions_scope_idx ON auth.sessions (scope_code, last_active_at DESC);

CREATE FUNCTION auth.sessions_online(p_idle interval, p_absolute interval)
RETURNS TABLE (id text, user_id uuid, username text, display_name text, scope_code text, unit_name text,
  created_at timestamptz, last_active_at timestamptz, ip text, user_agent text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'tenant_admin', 'platform_admin']) THEN RETURN; END IF;
  RETURN QUERY SELECT x.id, u.id, u.username::text, u.display_name, x.scope_code::text, t.name, x.created_at,
      x.last_active_at, x.ip, x.user_agent
    FROM auth.sessions x
    JOIN app.users u ON u.id = x.user_id AND u.status = 'active'
    LEFT JOIN app.tenants t ON t.id = u.tenant_id
    WHERE x.scope_code >= s AND x.scope_code < s || ':'
      AND x.last_active_at + p_idle > now() AND x.created_at + p_absolute > now()
    ORDER BY x.last_active_at DESC LIMIT 1000;
END $$;
ALTER FUNCTION auth.sessions_online(interval, interval) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.sessions_online(interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.sessions_online(interval, interval) TO zz_app;

-- The unit of a session of the caller's subtree (null when there is none or it is not visible):
-- the subject the permission table is asked about before the session is ended.
CREATE FUNCTION auth.session_unit(p_id text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  SELECT x.scope_code::text FROM auth.sessions x
  WHERE x.id = p_id
    AND x.scope_code >= nullif(current_setting('app.scope', true), '')
    AND x.scope_code < nullif(current_setting('app.scope', true), '') || ':';
$$;
ALTER FUNCTION auth.session_unit(text) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.session_unit(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session_unit(text) TO zz_app;

-- Ends a session of the caller's subtree (the service has checked session.revoke on its unit)
-- and records auth.forced_logout in the sign-in log of the signed-out user's unit, naming the
-- administrator. Returns the signed-out user (null when no session was ended).
CREATE FUNCTION auth.session_revoke(p_id text, p_ip text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        x auth.sessions; u app.users;
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['tenant_admin', 'platform_admin']) THEN RETURN NULL; END IF;
  DELETE FROM auth.sessions WHERE auth.sessions.id = p_id AND auth.sessions.scope_code >= s
    AND auth.sessions.scope_code < s || ':' RETURNING * INTO x;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT * INTO u FROM app.users WHERE app.users.id = x.user_id;
  PERFORM auth.audit(u.scope_code, u.tenant_id, nullif(current_setting('app.user_id', true), '')::uuid,
    'auth.forced_logout', u.id::text, p_ip,
    jsonb_build_object('user', u.username, 'object', u.display_name || '（' || u.username || '）'));
  RETURN u.id;
END $$;
ALTER FUNCTION auth.session_revoke(text, text) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.session_revoke(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session_revoke(text, text) TO zz_app;
