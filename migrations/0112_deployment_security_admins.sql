-- Deployments created before the security administrator existed (0071) have none: nobody there
-- may grant roles, see who is signed in, end a session or set the second-factor rule. The
-- operator's list of deployments now says how many active security administrators each root
-- unit has, so that the console shows the gap and offers to fill it (platform.addSecurityAdmin).
DROP FUNCTION auth.platform_list_deployments();
CREATE FUNCTION auth.platform_list_deployments()
RETURNS TABLE (id uuid, code text, level app.tenant_level, name text,
  status app.tenant_status, created_at timestamptz, version integer, tenants bigint, users bigint,
  security_admins bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF r IS NULL OR NOT ('platform_admin' = ANY (r)) THEN RETURN; END IF;
  RETURN QUERY
    SELECT t.id, t.code::text, t.level, t.name, t.status, t.created_at, t.version,
      (SELECT count(*) FROM app.tenants c WHERE c.root_code = t.code),
      (SELECT count(*) FROM app.users u WHERE u.scope_code >= t.code AND u.scope_code < t.code || ':'),
      (SELECT count(*) FROM app.users u WHERE u.tenant_id = t.id AND u.status = 'active'
        AND 'security_admin' = ANY (u.roles))
    FROM app.tenants t WHERE t.parent_id IS NULL ORDER BY t.code;
END $$;
ALTER FUNCTION auth.platform_list_deployments() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.platform_list_deployments() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.platform_list_deployments() TO zz_app;
