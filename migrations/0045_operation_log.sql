-- Operation log (操作日志) and sign-in log (登录日志), issue 12 §4. Every API mutation appends
-- op.<router>.<procedure> to app.audit_events (result, named object, IP, request id); the
-- security audit (auth.audit_list) keeps its own events and leaves the op.* lines to the log.

DROP FUNCTION auth.audit_list(integer, bigint);
CREATE FUNCTION auth.audit_list(p_limit integer, p_before bigint)
RETURNS TABLE (id bigint, at timestamptz, scope_code text, tenant_id uuid, actor_id uuid, actor_username text,
  actor_name text, kind text, subject_id text, ip text, request_id text, detail jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'tenant_admin', 'platform_admin']) THEN RETURN; END IF;
  RETURN QUERY SELECT e.id, e.at, e.scope_code::text, e.tenant_id, e.actor_id, u.username, u.display_name, e.kind,
      e.subject_id, e.ip, e.request_id, e.detail
    FROM app.audit_events e LEFT JOIN app.users u ON u.id = e.actor_id
    WHERE e.scope_code >= s AND e.scope_code < s || ':'
      AND e.kind NOT LIKE 'op.%'
      AND (p_before IS NULL OR e.id < p_before)
    ORDER BY e.id DESC LIMIT least(p_limit, 500);
END $$;
ALTER FUNCTION auth.audit_list(integer, bigint) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.audit_list(integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.audit_list(integer, bigint) TO zz_app;

-- One of the two logs of the caller's subtree, filtered. The same role gate as audit_list
-- (the permission table's audit.read); the subtree is the caller's scope, never wider.
CREATE FUNCTION auth.audit_search(p_log text, p_actor text, p_unit text, p_kind text, p_object text,
  p_from timestamptz, p_to timestamptz, p_limit integer, p_before bigint)
RETURNS TABLE (id bigint, at timestamptz, scope_code text, unit_name text, actor_id uuid, actor_username text,
  actor_name text, kind text, subject_id text, ip text, request_id text, detail jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF s IS NULL OR NOT (r && ARRAY['auditor', 'tenant_admin', 'platform_admin']) THEN RETURN; END IF;
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
ALTER FUNCTION auth.audit_search(text, text, text, text, text, timestamptz, timestamptz, integer, bigint) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.audit_search(text, text, text, text, text, timestamptz, timestamptz, integer, bigint)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.audit_search(text, text, text, text, text, timestamptz, timestamptz, integer, bigint)
  TO zz_app;
