-- run-as: admin
-- Roles are cluster-wide and need CREATEROLE, so this file runs as the connecting
-- administrator, not as the owner. Why three roles:
--   zz_owner  owns every object; migrations run as it (SET ROLE). Never used at runtime.
--   zz_app    the API's login role: owns nothing, not superuser, no BYPASSRLS, so every
--             row it touches passes through a forced RLS policy.
--   zz_auth   NOLOGIN; owns the SECURITY DEFINER functions that must look across tenants
--             before a tenant is known (login, session validation). zz_app cannot become it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zz_owner') THEN
    CREATE ROLE zz_owner NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zz_auth') THEN
    CREATE ROLE zz_auth NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zz_app') THEN
    CREATE ROLE zz_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOINHERIT;
  END IF;
END $$;

-- The owner hands the cross-tenant functions to zz_auth, so it must be able to act as it.
GRANT zz_auth TO zz_owner;

-- Plans must never be reused across scopes (DESIGN.md): a generic plan made for one
-- scope's range is wrong for another's.
ALTER ROLE zz_app SET plan_cache_mode = force_custom_plan;
ALTER ROLE zz_app SET statement_timeout = '30s';
ALTER ROLE zz_app SET idle_in_transaction_session_timeout = '60s';

DO $$
BEGIN
  EXECUTE format('GRANT CREATE, CONNECT, TEMPORARY ON DATABASE %I TO zz_owner', current_database());
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO zz_app', current_database());
END $$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO zz_owner;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
GRANT USAGE ON SCHEMA public TO zz_app, zz_auth;
