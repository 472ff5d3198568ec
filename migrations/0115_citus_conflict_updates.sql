-- Citus (issue 14 §6): Citus refuses a function other than an IMMUTABLE one in the DO UPDATE SET
-- of an INSERT into a table it manages (reference tables included: auth.rate_limits,
-- auth.login_name_failures, auth.totp_pending), because the shards would each evaluate it; found
-- on a real cluster at sign-in ("functions used in the DO UPDATE SET clause of INSERTs on
-- distributed tables must be marked IMMUTABLE"; `timestamptz + interval` is only STABLE too). The
-- times are computed once into variables, which reach the statement as parameters, and compared
-- with immutable operators. On one PostgreSQL nothing changes: now() is the transaction's time
-- either way, and `window_start + p_window <= now()` is `window_start <= now() - p_window`.

CREATE OR REPLACE FUNCTION auth.rate_limit(p_key text, p_limit integer, p_window interval)
RETURNS TABLE (allowed boolean, retry_after integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, auth, pg_temp AS $$
DECLARE r auth.rate_limits; t timestamptz := now(); window_over timestamptz := now() - p_window;
BEGIN
  INSERT INTO auth.rate_limits AS l (key, window_start, hits) VALUES (p_key, t, 1)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN l.window_start <= window_over THEN 1 ELSE l.hits + 1 END,
    window_start = CASE WHEN l.window_start <= window_over THEN t ELSE l.window_start END
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

CREATE OR REPLACE FUNCTION auth.login_name_failed(p_user uuid, p_username text, p_ip text, p_max integer,
  p_lock interval) RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE f auth.login_name_failures; name text := left(lower(p_username), 48); t timestamptz := now();
BEGIN
  IF nullif(current_setting('app.scope', true), '') IS NOT NULL THEN RETURN NULL; END IF;
  IF p_user IS NOT NULL THEN RETURN auth.login_failed(p_user, p_ip, p_max, p_lock); END IF;
  INSERT INTO auth.login_name_failures AS l (username, failed_attempts, updated_at) VALUES (name, 1, t)
  ON CONFLICT (username) DO UPDATE SET failed_attempts = l.failed_attempts + 1, updated_at = t
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

CREATE OR REPLACE FUNCTION auth.totp_begin(p_key_enc bytea) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE uid uuid := nullif(current_setting('app.user_id', true), '')::uuid; t timestamptz := now();
BEGIN
  IF uid IS NULL THEN RAISE EXCEPTION 'no signed-in user' USING ERRCODE = 'insufficient_privilege'; END IF;
  IF EXISTS (SELECT 1 FROM app.users WHERE id = uid AND totp_key IS NOT NULL) THEN
    RAISE EXCEPTION 'second factor already enabled' USING ERRCODE = 'unique_violation',
      CONSTRAINT = 'users_totp_already_enabled';
  END IF;
  INSERT INTO auth.totp_pending AS p (user_id, key_enc) VALUES (uid, p_key_enc)
  ON CONFLICT (user_id) DO UPDATE SET key_enc = excluded.key_enc, created_at = t;
END $$;
