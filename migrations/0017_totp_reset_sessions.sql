-- An administrator resetting someone's second factor (a lost phone) ends that user's
-- sessions too: whoever holds the phone must not stay signed in.
CREATE TRIGGER users_revoke_sessions_on_totp_reset AFTER UPDATE OF totp_key ON app.users
  FOR EACH ROW WHEN (OLD.totp_key IS NOT NULL AND NEW.totp_key IS NULL
    AND nullif(current_setting('app.user_id', true), '')::uuid IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION auth.users_revoke_sessions();
