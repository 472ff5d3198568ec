-- The demo logins a starting instance prints (issue 14): read as the runtime role, so that an
-- instance that does not migrate (MIGRATE=off, the API replicas of infra/compose.yaml) needs no
-- owner or administrator URL at all. Definer (zz_auth, past RLS), but it answers only accounts
-- named by the caller that belong to a demo deployment (tenants.is_demo), plus platform
-- operators of those names while a demo deployment exists: nothing of a real deployment.
CREATE FUNCTION auth.demo_logins(p_names text[])
RETURNS TABLE (username text, roles text[], code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT u.username::text, u.roles::text[], t.code::text
  FROM app.users u LEFT JOIN app.tenants t ON t.id = u.tenant_id
  WHERE EXISTS (SELECT FROM app.tenants d WHERE d.is_demo)
    AND u.username = ANY (p_names)
    AND (t.is_demo OR u.tenant_id IS NULL)
  ORDER BY array_position(p_names, u.username::text);
$$;
ALTER FUNCTION auth.demo_logins(text[]) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.demo_logins(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.demo_logins(text[]) TO zz_app;
