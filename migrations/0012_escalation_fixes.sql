-- Holes the attack suite found in the escalation tables (0008–0010).

-- A sideways handler may only be named by a unit above both the case's origin and the
-- handler (the assigning tier): a village cannot hand its case to another county's township.
CREATE FUNCTION app.cases_check_handler() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text := nullif(current_setting('app.scope', true), '');
BEGIN
  IF NEW.handler_code IS NOT NULL AND NEW.handler_code IS DISTINCT FROM OLD.handler_code
     AND (s IS NULL OR NOT starts_with(NEW.handler_code, s) OR NOT starts_with(NEW.scope_code, s)
          OR NEW.handler_code = s) THEN
    RAISE EXCEPTION 'a handler can be named only by a unit above both the case and the handler'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'cases_handler_named_from_above';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_check_handler BEFORE UPDATE OF handler_code ON app.cases
  FOR EACH ROW EXECUTE FUNCTION app.cases_check_handler();

-- Forged ids: a notification may only point at a case the writer can see; a supervision at a
-- deadline of its own case.
CREATE TRIGGER notifications_visible BEFORE INSERT ON app.notifications
  FOR EACH ROW EXECUTE FUNCTION app.require_visible('case_id', 'app.cases');
CREATE TRIGGER supervisions_same_case BEFORE INSERT ON app.supervisions
  FOR EACH ROW EXECUTE FUNCTION app.require_same_case('deadline_id', 'app.case_deadlines');
