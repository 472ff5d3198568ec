-- Auditors read who did what: the actor's login and name come with each audit line.
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
      AND (p_before IS NULL OR e.id < p_before)
    ORDER BY e.id DESC LIMIT least(p_limit, 500);
END $$;
ALTER FUNCTION auth.audit_list(integer, bigint) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.audit_list(integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.audit_list(integer, bigint) TO zz_app;

-- Suspending or reactivating a deployment is audited, and checked against a version.
DROP FUNCTION auth.platform_set_deployment_status(uuid, app.tenant_status);
CREATE FUNCTION auth.platform_set_deployment_status(p_id uuid, p_status app.tenant_status, p_version integer)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        t app.tenants;
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN
    RAISE EXCEPTION 'platform_admin required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO t FROM app.tenants WHERE id = p_id AND parent_id IS NULL;
  IF NOT FOUND THEN RETURN 'not_found'; END IF;
  IF t.version <> p_version THEN RETURN 'conflict'; END IF;
  UPDATE app.tenants SET status = p_status, updated_at = now(), version = version + 1 WHERE id = p_id;
  IF p_status = 'suspended' THEN
    DELETE FROM auth.sessions s WHERE s.scope_code >= t.code AND s.scope_code < t.code || ':';
  END IF;
  PERFORM auth.audit('!', NULL, nullif(current_setting('app.user_id', true), '')::uuid,
    'platform.deployment_' || p_status::text, t.code, NULL);
  RETURN 'ok';
END $$;
ALTER FUNCTION auth.platform_set_deployment_status(uuid, app.tenant_status, integer) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.platform_set_deployment_status(uuid, app.tenant_status, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.platform_set_deployment_status(uuid, app.tenant_status, integer) TO zz_app;

DROP FUNCTION auth.platform_list_deployments();
CREATE FUNCTION auth.platform_list_deployments()
RETURNS TABLE (id uuid, code text, level app.tenant_level, name text,
  status app.tenant_status, created_at timestamptz, version integer, tenants bigint, users bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN RETURN; END IF;
  RETURN QUERY
    SELECT t.id, t.code::text, t.level, t.name, t.status, t.created_at, t.version,
      (SELECT count(*) FROM app.tenants c WHERE c.root_code = t.code),
      (SELECT count(*) FROM app.users u WHERE u.scope_code >= t.code AND u.scope_code < t.code || ':')
    FROM app.tenants t WHERE t.parent_id IS NULL ORDER BY t.code;
END $$;
ALTER FUNCTION auth.platform_list_deployments() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.platform_list_deployments() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.platform_list_deployments() TO zz_app;
