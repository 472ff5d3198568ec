-- Sign-in and session hardening (issue 8, sections 2 and 3).
--
-- 1. A session's idle window slides only after its secret was verified (lucia-auth.com: validate
--    the token, compare the secret in constant time, then extend). auth.session_validate no longer
--    touches last_active_at; the API calls auth.session_touch with SHA-256(secret) once it has
--    compared the secret, and the touch re-checks that hash, so knowing a session id alone keeps
--    nothing alive.
-- 2. Suspending any unit (a deployment by an operator, or a unit below by its administrators)
--    deletes the sessions and open sign-in challenges of every user in its subtree, so that
--    reactivating it does not bring old sessions back.
-- 3. Rate limits say when they end (Retry-After), and sign-in limits count failures only.
-- 4. Unknown login names lock exactly like known ones (5 failures in a row, 30 minutes), so that a
--    lockout does not reveal which names exist.

-- 1. Sessions ---------------------------------------------------------------------------------

DROP FUNCTION auth.session_validate(text, interval, interval);
-- Resolves a session id to its user, enforcing the idle and absolute limits (an expired row is
-- deleted), the user's status and the suspension of any unit on its path. Does NOT slide the idle
-- window: the caller has not proved the secret yet (see auth.session_touch).
CREATE FUNCTION auth.session_validate(p_id text, p_idle interval, p_absolute interval)
RETURNS TABLE (secret_hash bytea, session_created_at timestamptz, user_id uuid,
  tenant_id uuid, scope_code text, username text, display_name text, roles text[],
  must_change_password boolean, tenant_name text, tenant_level app.tenant_level,
  root_code text, totp_enabled boolean, deployment_requires_totp boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s auth.sessions;
BEGIN
  SELECT * INTO s FROM auth.sessions WHERE id = p_id;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.last_active_at + p_idle <= now() OR s.created_at + p_absolute <= now() THEN
    DELETE FROM auth.sessions WHERE id = p_id;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT s.secret_hash, s.created_at, u.id, u.tenant_id, u.scope_code::text, u.username,
           u.display_name, u.roles, u.must_change_password, t.name, t.level, t.root_code::text,
           u.totp_key IS NOT NULL AND u.totp_enabled_at IS NOT NULL,
           coalesce((SELECT r.require_totp FROM app.tenants r WHERE r.code = t.root_code), false)
    FROM app.users u LEFT JOIN app.tenants t ON t.id = u.tenant_id
    WHERE u.id = s.user_id AND u.status = 'active'
      AND (u.tenant_id IS NULL OR NOT auth.scope_blocked(u.scope_code));
END $$;

-- Slides the idle window of a session whose secret the API has just verified. The hash must match
-- the stored one (a second check, not the constant-time one), and a session already past its idle
-- limit is not revived. Written at most every 30 seconds.
CREATE FUNCTION auth.session_touch(p_id text, p_secret_hash bytea, p_idle interval) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  UPDATE auth.sessions SET last_active_at = now()
  WHERE id = p_id AND secret_hash = p_secret_hash
    AND last_active_at < now() - interval '30 seconds' AND last_active_at + p_idle > now()
$$;

-- 2. Suspension ends sessions -------------------------------------------------------------------

CREATE FUNCTION auth.tenants_revoke_sessions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
BEGIN
  DELETE FROM auth.sessions s WHERE s.scope_code >= NEW.code AND s.scope_code < NEW.code || ':';
  DELETE FROM auth.login_challenges c USING app.users u
    WHERE u.id = c.user_id AND u.scope_code >= NEW.code AND u.scope_code < NEW.code || ':';
  RETURN NEW;
END $$;
CREATE TRIGGER tenants_revoke_sessions AFTER UPDATE OF status ON app.tenants
  FOR EACH ROW WHEN (NEW.status = 'suspended' AND OLD.status IS DISTINCT FROM 'suspended')
  EXECUTE FUNCTION auth.tenants_revoke_sessions();

-- 3. Rate limits --------------------------------------------------------------------------------

DROP FUNCTION auth.rate_hit(text, integer, interval);
-- Counts one hit on p_key in a fixed window and allows it while the window holds at most p_limit
-- hits. When refused, retry_after is the number of seconds until the window ends (Retry-After).
-- A limit that counts only failures takes its hit before the attempt (so that parallel attempts
-- cannot all slip under it) and gives it back with auth.rate_refund when the attempt succeeds.
CREATE FUNCTION auth.rate_limit(p_key text, p_limit integer, p_window interval)
RETURNS TABLE (allowed boolean, retry_after integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
DECLARE r auth.rate_limits;
BEGIN
  INSERT INTO auth.rate_limits AS l (key, window_start, hits) VALUES (p_key, now(), 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN l.window_start + p_window <= now() THEN 1 ELSE l.hits + 1 END,
    window_start = CASE WHEN l.window_start + p_window <= now() THEN now() ELSE l.window_start END
  RETURNING * INTO r;
  -- Keys of addresses long gone are dropped now and then (the table is shared by every instance).
  IF random() < 0.001 THEN
    DELETE FROM auth.rate_limits WHERE window_start < now() - interval '1 day';
  END IF;
  allowed := r.hits <= p_limit;
  retry_after := CASE WHEN allowed THEN 0
    ELSE greatest(1, ceil(extract(epoch FROM r.window_start + p_window - now()))::integer) END;
  RETURN NEXT;
END $$;

-- Gives back one hit taken by auth.rate_limit (an attempt that succeeded).
CREATE FUNCTION auth.rate_refund(p_key text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  UPDATE auth.rate_limits SET hits = hits - 1 WHERE key = p_key AND hits > 0
$$;

-- 4. Unknown login names lock like known ones -----------------------------------------------------

-- Failures in a row of login names that belong to no account. Known accounts keep theirs in
-- app.users (failed_attempts, locked_until); this table mirrors those two columns for every other
-- name so that both answer alike. Rows untouched for 30 days are pruned.
CREATE TABLE auth.login_name_failures (
  username        text PRIMARY KEY,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_name_failures_updated_idx ON auth.login_name_failures (updated_at);
ALTER TABLE auth.login_name_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.login_name_failures FORCE ROW LEVEL SECURITY;
CREATE POLICY login_name_failures_auth ON auth.login_name_failures FOR ALL TO zz_auth
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.login_name_failures TO zz_auth;

-- One row for any login name: the account's columns (NULL for an unknown name) and, for both kinds,
-- when its lock ends. Only outside a tenant context, like auth.login_lookup.
CREATE FUNCTION auth.login_begin(p_username text)
RETURNS TABLE (user_id uuid, password_hash text, status app.user_status, tenant_blocked boolean,
  locked_until timestamptz, totp_enabled boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT u.id, u.password_hash, u.status,
           CASE WHEN u.tenant_id IS NULL THEN false ELSE auth.scope_blocked(u.scope_code) END,
           u.locked_until, u.totp_key IS NOT NULL AND u.totp_enabled_at IS NOT NULL
    FROM app.users u WHERE u.username = lower(p_username);
  IF FOUND THEN RETURN; END IF;
  RETURN QUERY
    SELECT NULL::uuid, NULL::text, NULL::app.user_status, false,
           (SELECT f.locked_until FROM auth.login_name_failures f WHERE f.username = lower(p_username)),
           false;
END $$;

-- A failed sign-in under a login name: for an account, auth.login_failed (audited there); for an
-- unknown name, the same counting in auth.login_name_failures, audited as auth.login_refused
-- (reason unknown_user) and auth.locked. Returns the lock's end when this failure locked the name.
CREATE FUNCTION auth.login_name_failed(p_user uuid, p_username text, p_ip text, p_max integer,
  p_lock interval) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE f auth.login_name_failures; name text := left(lower(p_username), 48);
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN RETURN NULL; END IF;
  IF p_user IS NOT NULL THEN RETURN auth.login_failed(p_user, p_ip, p_max, p_lock); END IF;
  INSERT INTO auth.login_name_failures AS l (username, failed_attempts, updated_at) VALUES (name, 1, now())
  ON CONFLICT (username) DO UPDATE SET failed_attempts = l.failed_attempts + 1, updated_at = now()
  RETURNING * INTO f;
  PERFORM auth.audit(NULL, NULL, NULL, 'auth.login_refused', name, p_ip,
    jsonb_build_object('reason', 'unknown_user', 'attempt', f.failed_attempts));
  IF f.failed_attempts >= p_max THEN
    UPDATE auth.login_name_failures SET locked_until = now() + p_lock, failed_attempts = 0
      WHERE username = name RETURNING * INTO f;
    PERFORM auth.audit(NULL, NULL, NULL, 'auth.locked', name, p_ip,
      jsonb_build_object('until', f.locked_until, 'unknown_user', true));
  END IF;
  IF random() < 0.01 THEN
    DELETE FROM auth.login_name_failures
      WHERE updated_at < now() - interval '30 days' AND (locked_until IS NULL OR locked_until < now());
  END IF;
  RETURN f.locked_until;
END $$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'auth.session_validate(text, interval, interval)',
    'auth.session_touch(text, bytea, interval)',
    'auth.rate_limit(text, integer, interval)',
    'auth.rate_refund(text)',
    'auth.login_begin(text)',
    'auth.login_name_failed(uuid, text, text, integer, interval)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f);
  END LOOP;
END $$;
-- The trigger function is not for calling directly.
ALTER FUNCTION auth.tenants_revoke_sessions() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.tenants_revoke_sessions() FROM PUBLIC;
