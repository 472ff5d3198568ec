-- Re-authentication (MLPS level 3, GB/T 22239-2019 8.1.4.1): revealing personal numbers,
-- exporting ledgers with personal data, granting roles and replacing recovery codes need a proof
-- of the password or a second-factor code within the last few minutes (the window is the API's,
-- REAUTH_WINDOW_MS). A session's own sign-in counts as one (created_at); a later proof is
-- recorded on the session (reauthenticated_at), for that session only.

ALTER TABLE auth.sessions ADD COLUMN reauthenticated_at timestamptz;

-- When the caller's own session last proved its credentials (null: not the caller's session).
CREATE FUNCTION auth.session_last_proof(p_id text) RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
  SELECT greatest(x.created_at, x.reauthenticated_at) FROM auth.sessions x
  WHERE x.id = p_id AND x.user_id = nullif(current_setting('app.user_id', true), '')::uuid;
$$;

-- Records a proof for the caller's own session, checked by the API: the password (p_step null)
-- or a TOTP code of time step p_step, which like a sign-in code is refused when already used.
-- Audited as auth.reauthenticated in the sign-in log. Returns 'ok', 'replayed' or 'expired'.
CREATE FUNCTION auth.session_reauthenticate(p_id text, p_step bigint, p_method text, p_ip text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE uid uuid := nullif(current_setting('app.user_id', true), '')::uuid; u app.users;
BEGIN
  IF uid IS NULL OR p_method NOT IN ('password', 'totp') THEN
    RAISE EXCEPTION 'no signed-in user' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO u FROM app.users WHERE id = uid FOR UPDATE;
  IF p_step IS NOT NULL THEN
    IF u.totp_last_step IS NOT NULL AND p_step <= u.totp_last_step THEN RETURN 'replayed'; END IF;
    UPDATE app.users SET totp_last_step = p_step WHERE id = uid;
  END IF;
  UPDATE auth.sessions SET reauthenticated_at = now() WHERE id = p_id AND user_id = uid;
  IF NOT FOUND THEN RETURN 'expired'; END IF;
  PERFORM auth.audit(u.scope_code, u.tenant_id, u.id, 'auth.reauthenticated', u.id::text, p_ip,
    jsonb_build_object('method', p_method));
  RETURN 'ok';
END $$;

DO $$
DECLARE f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['auth.session_last_proof(text)', 'auth.session_reauthenticate(text, bigint, text, text)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO zz_auth', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO zz_app', f);
  END LOOP;
END $$;
