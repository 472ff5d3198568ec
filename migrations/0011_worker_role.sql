-- run-as: admin
-- The job queue (graphile-worker) runs as its own role: it owns the graphile_worker schema
-- (whose tables graphile-worker protects with row-level security for their owner only) and
-- nothing else. Jobs do their domain work through the zz_app pool, under RLS like any request.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zz_worker') THEN
    CREATE ROLE zz_worker LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB;
  END IF;
  EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO zz_worker', current_database());
END $$;
