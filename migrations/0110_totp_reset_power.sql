-- Separation of duties (三权分立), third part: clearing another account's second factor (a lost
-- phone, users.resetTotp) is an authentication power, the security administrator's (and the
-- operator's, for operators), no longer the centre administrator's. The permission table says so
-- (mfa.reset); this trigger is the database's own line, so that a service which forgot to check
-- still cannot do it as the runtime role. It also closes a wider door: zz_app holds UPDATE on
-- totp_key (to clear it), so it could have written a key of its own choosing onto any account in
-- its subtree; a key is only ever written by the enrolment (auth.totp_confirm, as the owner).
CREATE FUNCTION app.users_guard_totp_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE caller text[] := string_to_array(nullif(current_setting('app.roles', true), ''), ',');
BEGIN
  IF current_user <> 'zz_app' OR NEW.totp_key IS NOT DISTINCT FROM OLD.totp_key THEN RETURN NEW; END IF;
  IF NEW.totp_key IS NOT NULL THEN
    RAISE EXCEPTION 'a second-factor key is written only by its own enrolment'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'users_totp_key_by_enrolment';
  END IF;
  -- One's own withdrawal (after password and code, checked by the API) is one's own.
  IF NEW.id::text = current_setting('app.user_id', true) THEN RETURN NEW; END IF;
  IF NOT coalesce(caller && ARRAY['security_admin', 'platform_admin'], false) THEN
    RAISE EXCEPTION 'only a security administrator resets another account''s second factor'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'users_totp_reset_by_security';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER users_totp_guard BEFORE UPDATE OF totp_key ON app.users
  FOR EACH ROW EXECUTE FUNCTION app.users_guard_totp_key();
