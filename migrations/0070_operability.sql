-- run-as: admin
-- Readiness (/readyz) tells whether this build's migrations are all applied. The runtime role
-- still cannot read the runner's table; this function gives it the names and checksums only.
GRANT SELECT ON public.schema_migrations TO zz_auth;

CREATE FUNCTION auth.migrations_applied()
RETURNS TABLE (name text, checksum text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT m.name, m.checksum FROM public.schema_migrations m ORDER BY m.name
$$;
ALTER FUNCTION auth.migrations_applied() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.migrations_applied() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.migrations_applied() TO zz_app;
