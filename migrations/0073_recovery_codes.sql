-- Recovery codes for the second factor (MLPS level 3: a lost phone must not need an
-- administrator, nor weaken the sign-in). Ten random codes (80 bits each) are made by the API and
-- shown once; only SHA-256 of each is kept here, readable by zz_auth alone. A code signs in once
-- in place of a TOTP code; new codes replace all earlier ones; withdrawing or resetting the
-- second factor removes them.

CREATE TABLE auth.recovery_codes (
  user_id    uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE auth.recovery_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.recovery_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY recovery_codes_auth ON auth.recovery_codes FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.recovery_codes TO zz_auth;

-- Replaces the signed-in user's codes (app.user_id) with these hashes; null when the account has
-- no second factor. Audited (auth.recovery_codes_generated, the count only).
CREATE FUNCTION auth.recovery_codes_replace(p_hashes bytea[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE uid uuid := nullif(current_setting('app.user_id', true), '')::uuid; u app.users; n integer;
BEGIN
  IF uid IS NULL THEN RAISE EXCEPTION 'no signed-in user' USING ERRCODE = 'insufficient_privilege'; END IF;
  SELECT * INTO u FROM app.users WHERE id = uid FOR UPDATE;
  IF u.totp_key IS NULL THEN RETURN NULL; END IF;
  DELETE FROM auth.recovery_codes WHERE user_id = uid;
  INSERT INTO auth.recovery_codes (user_id, code_hash) SELECT uid, h FROM unnest(p_hashes) h;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.recovery_codes_generated', u.id::text, NULL,
    jsonb_build_object('count', n));
  RETURN n;
END $$;

-- How many unused codes the signed-in user has left.
CREATE FUNCTION auth.recovery_codes_left() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  SELECT count(*)::integer FROM auth.recovery_codes
  WHERE user_id = nullif(current_setting('app.user_id', true), '')::uuid AND used_at IS NULL;
$$;

-- The second step of a sign-in with a recovery code instead of a TOTP code: spends the code
-- (once) and opens the session, like auth.challenge_complete. 'wrong' when no unused code of the
-- challenge's account has this hash (the API then counts a failed sign-in).
CREATE FUNCTION auth.challenge_recover(p_id text, p_code_hash bytea, p_session_id text,
  p_session_secret_hash bytea, p_ip text, p_user_agent text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE c auth.login_challenges; u app.users; left_over integer;
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
  UPDATE auth.recovery_codes SET used_at = now()
    WHERE user_id = u.id AND code_hash = p_code_hash AND used_at IS NULL;
  IF NOT FOUND THEN RETURN 'wrong'; END IF;
  SELECT count(*) INTO left_over FROM auth.recovery_codes WHERE user_id = u.id AND used_at IS NULL;
  DELETE FROM auth.login_challenges WHERE id = p_id;
  UPDATE app.users SET failed_attempts = 0, locked_until = NULL WHERE id = u.id;
  INSERT INTO auth.sessions (id, secret_hash, user_id, scope_code, ip, user_agent)
    VALUES (p_session_id, p_session_secret_hash, u.id, u.scope_code, p_ip, left(p_user_agent, 300));
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.login', u.id::text, p_ip,
    jsonb_build_object('mfa', true, 'recovery_code', true, 'recovery_codes_left', left_over));
  RETURN 'ok';
END $$;

-- Withdrawing or resetting the second factor removes its recovery codes.
CREATE FUNCTION auth.users_drop_recovery_codes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
BEGIN
  DELETE FROM auth.recovery_codes WHERE user_id = NEW.id;
  RETURN NEW;
END $$;
ALTER FUNCTION auth.users_drop_recovery_codes() OWNER TO zz_auth;
CREATE TRIGGER users_drop_recovery_codes AFTER UPDATE OF totp_key ON app.users
  FOR EACH ROW WHEN (NEW.totp_key IS NULL AND OLD.totp_key IS NOT NULL)
  EXECUTE FUNCTION auth.users_drop_recovery_codes();

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'auth.recovery_codes_replace(bytea[])',
    'auth.recovery_codes_left()',
    'auth.challenge_recover(text, bytea, text, bytea, text, text)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f);
  END LOOP;
END $$;
