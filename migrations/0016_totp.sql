-- A second factor for staff: TOTP (RFC 6238, 30-second steps, 6 digits, ±1 step), DESIGN.md "Auth".
--
-- Where the secret lives, and who can see it:
--   * app.users.totp_key holds the 20-byte key ENCRYPTED by the API's SM4 FieldCipher, bound to the
--     context ["zongzhi","users","totp_key",<user id>]. Neither zz_app (no SELECT on the column) nor
--     the database owner (only ciphertext) can read the key; only the API process that holds
--     FIELD_KEYS can decrypt it.
--   * The key leaves the database only through two SECURITY DEFINER functions: for a sign-in
--     challenge that is still open (auth.challenge_totp_key) and for the signed-in user's own
--     enrolment or withdrawal (auth.totp_pending_key, auth.own_totp_key).
--   * A code is accepted once: totp_last_step keeps the time step of the last accepted code, and
--     a later sign-in must present a strictly newer step (replay refused).
-- Requirement: app.tenants.require_totp on a deployment's ROOT row, set only by a tenant_admin of
-- that root through auth.set_require_totp. Which roles it binds is decided by the API
-- (packages/auth/src/totp.ts: every role except grid_worker); operators by REQUIRE_OPERATOR_TOTP.

ALTER TABLE app.users
  ADD COLUMN totp_enabled_at timestamptz,
  ADD COLUMN totp_last_step bigint;
COMMENT ON COLUMN app.users.totp_key IS
  'SM4 FieldCipher ciphertext of the TOTP key (context users/totp_key/<user id>); never plaintext, never readable by zz_app';
-- A key exists exactly when the factor is on (pending keys live in auth.totp_pending).
ALTER TABLE app.users ADD CONSTRAINT users_totp_shape CHECK ((totp_key IS NULL) = (totp_enabled_at IS NULL));

-- zz_app sees whether a user has a second factor (the users page), never the key.
GRANT SELECT (totp_enabled_at) ON app.users TO zz_app;
-- Administrators reset a lost second factor in their subtree (RLS users_scope), and a user
-- withdraws their own: both clear key, date and step together.
GRANT UPDATE (totp_enabled_at, totp_last_step) ON app.users TO zz_app;

ALTER TABLE app.tenants ADD COLUMN require_totp boolean NOT NULL DEFAULT false;
-- zz_app already reads every column of app.tenants (table-level SELECT). It gets no UPDATE on
-- require_totp: tenants_update only reaches strict descendants, and only the root row counts,
-- so the switch is flipped by auth.set_require_totp (zz_auth, root rows only: tenants_platform_update).
GRANT UPDATE (require_totp) ON app.tenants TO zz_auth;

-- A password that was right, waiting for its code. id is public to the browser that signed in,
-- only SHA-256(secret) is stored (the session-token design); 5 minutes, at most 5 codes.
CREATE TABLE auth.login_challenges (
  id          text PRIMARY KEY,
  secret_hash bytea NOT NULL,
  user_id     uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  attempts    integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 5)
);
CREATE INDEX login_challenges_user_idx ON auth.login_challenges (user_id);
CREATE INDEX login_challenges_created_idx ON auth.login_challenges (created_at);
ALTER TABLE auth.login_challenges ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.login_challenges FORCE ROW LEVEL SECURITY;
CREATE POLICY login_challenges_auth ON auth.login_challenges FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.login_challenges TO zz_auth;

-- An enrolment in progress: the new key (encrypted like totp_key) until the user proves it with a
-- code from the authenticator app; 10 minutes.
CREATE TABLE auth.totp_pending (
  user_id    uuid PRIMARY KEY REFERENCES app.users (id) ON DELETE CASCADE,
  key_enc    bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE auth.totp_pending ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.totp_pending FORCE ROW LEVEL SECURITY;
CREATE POLICY totp_pending_auth ON auth.totp_pending FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.totp_pending TO zz_auth;

-- The account behind a login name: now also whether it has a second factor (never the key).
DROP FUNCTION auth.login_lookup(text);
CREATE FUNCTION auth.login_lookup(p_username text)
RETURNS TABLE (user_id uuid, tenant_id uuid, scope_code text, password_hash text,
  status app.user_status, tenant_blocked boolean, failed_attempts integer,
  locked_until timestamptz, totp_enabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
  SELECT u.id, u.tenant_id, u.scope_code, u.password_hash, u.status,
         CASE WHEN u.tenant_id IS NULL THEN false ELSE auth.scope_blocked(u.scope_code) END,
         u.failed_attempts, u.locked_until, u.totp_key IS NOT NULL AND u.totp_enabled_at IS NOT NULL
  FROM app.users u
  WHERE u.username = lower(p_username) AND nullif(current_setting('app.scope', true), '') IS NULL
$$;

-- Sessions now also say whether the user has a second factor and whether its deployment's root
-- requires one, so that every request can hold an unenrolled staff member at the enrolment page.
DROP FUNCTION auth.session_validate(text, interval, interval);
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
  IF s.last_active_at < now() - interval '30 seconds' THEN
    UPDATE auth.sessions SET last_active_at = now() WHERE id = p_id;
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

-- A right password for an account with a second factor: open a challenge instead of a session.
-- Only outside a tenant context (a sign-in has none), like auth.login_lookup. The failure counter
-- is NOT reset here: only a completed sign-in resets it, so wrong codes keep counting towards the lock.
CREATE FUNCTION auth.challenge_create(p_id text, p_secret_hash bytea, p_user uuid, p_ip text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE u app.users;
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN
    RAISE EXCEPTION 'sign-in challenges are opened outside a tenant context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO u FROM app.users WHERE id = p_user AND totp_key IS NOT NULL;
  IF NOT FOUND THEN RAISE EXCEPTION 'no second factor' USING ERRCODE = 'no_data_found'; END IF;
  DELETE FROM auth.login_challenges WHERE created_at <= now() - interval '5 minutes';
  INSERT INTO auth.login_challenges (id, secret_hash, user_id) VALUES (p_id, p_secret_hash, p_user);
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.totp_challenged', u.id::text, p_ip);
END $$;

-- One code attempt on an open challenge: counts the attempt first (at most 5 per challenge, even
-- when requests race), then returns what the API needs to check it: the secret's hash, the
-- ENCRYPTED key, the last accepted step and the account's state. Nothing for an expired or spent one.
CREATE FUNCTION auth.challenge_totp_key(p_id text)
RETURNS TABLE (secret_hash bytea, user_id uuid, totp_key bytea, totp_last_step bigint,
  status app.user_status, tenant_blocked boolean, locked_until timestamptz, attempts integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE c auth.login_challenges;
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN RETURN; END IF;
  UPDATE auth.login_challenges lc SET attempts = lc.attempts + 1
    WHERE lc.id = p_id AND lc.created_at > now() - interval '5 minutes' AND lc.attempts < 5
    RETURNING * INTO c;
  IF NOT FOUND THEN RETURN; END IF;
  RETURN QUERY
    SELECT c.secret_hash, u.id, u.totp_key, u.totp_last_step, u.status,
           CASE WHEN u.tenant_id IS NULL THEN false ELSE auth.scope_blocked(u.scope_code) END,
           u.locked_until, c.attempts
    FROM app.users u WHERE u.id = c.user_id;
END $$;

-- A wrong (or replayed) code: audited as auth.totp_failed and counted as a failed sign-in, so the
-- 5-failure lock applies. Returns the lock's end when this failure locked the account.
CREATE FUNCTION auth.challenge_failed(p_id text, p_ip text, p_reason text, p_max integer, p_lock interval)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE c auth.login_challenges; u app.users; until timestamptz;
BEGIN
  SELECT * INTO c FROM auth.login_challenges WHERE id = p_id;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT * INTO u FROM app.users WHERE id = c.user_id;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.totp_failed', u.id::text, p_ip,
    jsonb_build_object('reason', left(p_reason, 20), 'attempt', c.attempts));
  until := auth.login_failed(u.id, p_ip, p_max, p_lock);
  IF until > now() THEN
    -- Locked: no open challenge of this user survives the lock.
    DELETE FROM auth.login_challenges WHERE user_id = u.id;
  ELSIF c.attempts >= 5 THEN
    DELETE FROM auth.login_challenges WHERE id = p_id;
  END IF;
  RETURN until;
END $$;

-- A right code: refuses a step not newer than the last accepted one (replay), then spends the
-- challenge, resets the failure counter and opens the session, audited as auth.login {mfa: true}.
-- Returns 'ok', 'expired' (challenge gone, or the factor was reset meanwhile) or 'replayed'.
CREATE FUNCTION auth.challenge_complete(p_id text, p_step bigint, p_session_id text,
  p_session_secret_hash bytea, p_ip text, p_user_agent text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE c auth.login_challenges; u app.users;
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN RETURN 'expired'; END IF;
  SELECT * INTO c FROM auth.login_challenges
    WHERE id = p_id AND created_at > now() - interval '5 minutes' FOR UPDATE;
  IF NOT FOUND THEN RETURN 'expired'; END IF;
  SELECT * INTO u FROM app.users WHERE id = c.user_id FOR UPDATE;
  IF NOT FOUND OR u.totp_key IS NULL OR u.status <> 'active'
     OR (u.locked_until IS NOT NULL AND u.locked_until > now()) THEN
    DELETE FROM auth.login_challenges WHERE id = p_id;
    RETURN 'expired';
  END IF;
  IF u.totp_last_step IS NOT NULL AND p_step <= u.totp_last_step THEN RETURN 'replayed'; END IF;
  DELETE FROM auth.login_challenges WHERE id = p_id;
  UPDATE app.users SET totp_last_step = p_step, failed_attempts = 0, locked_until = NULL
    WHERE id = u.id;
  INSERT INTO auth.sessions (id, secret_hash, user_id, scope_code, ip, user_agent)
    VALUES (p_session_id, p_session_secret_hash, u.id, u.scope_code, p_ip, left(p_user_agent, 300));
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.login', u.id::text, p_ip,
    jsonb_build_object('mfa', true));
  RETURN 'ok';
END $$;

-- Enrolment, for the signed-in user (app.user_id of the tenant transaction) only.

-- Keeps a new encrypted key until it is confirmed (replacing an earlier unconfirmed one).
CREATE FUNCTION auth.totp_begin(p_key_enc bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE uid uuid := nullif(current_setting('app.user_id', true), '')::uuid;
BEGIN
  IF uid IS NULL THEN RAISE EXCEPTION 'no signed-in user' USING ERRCODE = 'insufficient_privilege'; END IF;
  IF EXISTS (SELECT 1 FROM app.users WHERE id = uid AND totp_key IS NOT NULL) THEN
    RAISE EXCEPTION 'second factor already enabled' USING ERRCODE = 'unique_violation',
      CONSTRAINT = 'users_totp_already_enabled';
  END IF;
  INSERT INTO auth.totp_pending AS p (user_id, key_enc) VALUES (uid, p_key_enc)
  ON CONFLICT (user_id) DO UPDATE SET key_enc = excluded.key_enc, created_at = now();
END $$;

-- The pending key (encrypted) while it is less than 10 minutes old.
CREATE FUNCTION auth.totp_pending_key() RETURNS bytea
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  SELECT key_enc FROM auth.totp_pending
  WHERE user_id = nullif(current_setting('app.user_id', true), '')::uuid
    AND created_at > now() - interval '10 minutes'
$$;

-- A code from the pending key was right: the pending key becomes the user's key (moved inside the
-- database, so the key never travels back from the API), and that code's step is spent.
CREATE FUNCTION auth.totp_confirm(p_step bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE uid uuid := nullif(current_setting('app.user_id', true), '')::uuid;
        p auth.totp_pending;
BEGIN
  IF uid IS NULL THEN RETURN false; END IF;
  DELETE FROM auth.totp_pending
    WHERE user_id = uid AND created_at > now() - interval '10 minutes' RETURNING * INTO p;
  IF NOT FOUND THEN RETURN false; END IF;
  UPDATE app.users SET totp_key = p.key_enc, totp_enabled_at = now(), totp_last_step = p_step,
    updated_at = now(), version = version + 1
    WHERE id = uid AND totp_key IS NULL;
  RETURN FOUND;
END $$;

-- The signed-in user's own key (encrypted) and last step, to check a code before withdrawing it.
CREATE FUNCTION auth.own_totp_key() RETURNS TABLE (totp_key bytea, totp_last_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT totp_key, totp_last_step FROM app.users
  WHERE id = nullif(current_setting('app.user_id', true), '')::uuid AND totp_key IS NOT NULL
$$;

-- The deployment-wide switch: only a tenant_admin whose scope IS its deployment's root.
CREATE FUNCTION auth.set_require_totp(p boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
        r text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
        t app.tenants;
BEGIN
  IF s IS NULL OR r IS NULL OR NOT ('tenant_admin' = ANY (r)) THEN
    RAISE EXCEPTION 'tenant_admin of the deployment root required' USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE app.tenants SET require_totp = p, updated_at = now(), version = version + 1
    WHERE code = s AND parent_id IS NULL AND root_code = s RETURNING * INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'only the deployment root sets this' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM auth.audit(t.code, t.id, nullif(current_setting('app.user_id', true), '')::uuid,
    'tenant.require_totp', t.id::text, NULL, jsonb_build_object('required', p));
END $$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'auth.login_lookup(text)',
    'auth.session_validate(text, interval, interval)',
    'auth.challenge_create(text, bytea, uuid, text)',
    'auth.challenge_totp_key(text)',
    'auth.challenge_failed(text, text, text, integer, interval)',
    'auth.challenge_complete(text, bigint, text, bytea, text, text)',
    'auth.totp_begin(bytea)',
    'auth.totp_pending_key()',
    'auth.totp_confirm(bigint)',
    'auth.own_totp_key()',
    'auth.set_require_totp(boolean)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f);
  END LOOP;
END $$;
