-- Holes found by the isolation attack suite (packages/db/src/holes.integration.test.ts).

-- 1. pg_temp is searched first for types and relations unless listed explicitly: a caller
--    could shadow `text` with a temporary domain whose CHECK runs its own code as zz_auth.
--    Pin pg_temp last in every SECURITY DEFINER function, and give zz_app no temporary objects.
DO $$
DECLARE f record;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure AS sig,
      substr((SELECT c FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), 13) AS path
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = %s, pg_temp', f.sig, f.path);
  END LOOP;
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM zz_app', current_database());
END $$;

-- 2. auth.audit wrote lines into any scope: only the definer functions (zz_auth) may call it;
--    the API writes its own lines with an INSERT under RLS.
REVOKE EXECUTE ON FUNCTION auth.audit(text, uuid, uuid, text, text, text, jsonb) FROM zz_app;

-- 3. auth.scope_blocked answered for units of other deployments.
REVOKE EXECUTE ON FUNCTION auth.scope_blocked(text) FROM zz_app;

-- 4. Forged ids: a session must use a booking of the same case, a confirmation an agreement
--    of the same case (both must also be visible to the writer).
CREATE FUNCTION app.require_same_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE other uuid; ref uuid;
BEGIN
  EXECUTE format('SELECT ($1).%I::uuid', TG_ARGV[0]) USING NEW INTO ref;
  IF ref IS NULL THEN RETURN NEW; END IF;
  EXECUTE format('SELECT case_id FROM %s WHERE id = $1', TG_ARGV[1]) USING ref INTO other;
  IF other IS NULL OR other <> NEW.case_id THEN
    RAISE EXCEPTION '% not found', TG_ARGV[0] USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER mediation_sessions_same_case BEFORE INSERT ON app.mediation_sessions
  FOR EACH ROW EXECUTE FUNCTION app.require_same_case('booking_id', 'app.bookings');
CREATE TRIGGER judicial_confirmations_same_case BEFORE INSERT ON app.judicial_confirmations
  FOR EACH ROW EXECUTE FUNCTION app.require_same_case('agreement_id', 'app.agreements');

-- 5. A tenant without a parent is a deployment root: nobody may mint one that overlaps
--    another unit (operators create roots through auth.platform_create_deployment).
CREATE FUNCTION app.tenants_root_is_free() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_id IS NULL AND EXISTS (SELECT 1 FROM app.tenants t
      WHERE starts_with(NEW.code, t.code) OR starts_with(t.code, NEW.code)) THEN
    RAISE EXCEPTION 'a deployment root may not overlap another' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_root_is_free BEFORE INSERT ON app.tenants
  FOR EACH ROW EXECUTE FUNCTION app.tenants_root_is_free();
