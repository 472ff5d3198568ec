-- Live cockpit (issue 10 §4): the leaders' figures move when a case arrives or changes state.
-- A case registered or moved to another state tells the API instances which origin unit's
-- figures changed (channel zz_figures, the payload its scope code alone); each instance pushes a
-- 'figures' event to the open streams of that unit and of every unit above it (a code's prefix),
-- whose cockpits then read their figures again. PostgreSQL sends one message per distinct payload
-- at commit, so a transaction that writes many cases of one unit sends one, and a rolled-back one
-- none. Unit codes are no secret from the units above; no other unit hears of them.
CREATE FUNCTION app.cases_notify_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('zz_figures', NEW.scope_code);
  RETURN NULL;
END $$;
CREATE TRIGGER cases_notify_figures AFTER INSERT OR UPDATE OF status ON app.cases
  FOR EACH ROW EXECUTE FUNCTION app.cases_notify_figures();
