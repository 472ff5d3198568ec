-- Reworks (重办, migration 0065) follow their case: app.rework_monthly counts a case's reopenings
-- in the bucket of its origin unit, registration month and category, but 0065 only added to the
-- bucket at the moment of a reopening. When a case's category (or origin unit, or registration
-- time) changes afterwards, its reopenings so far move from the old buckets to the new ones, in
-- the same transaction, so the rollup stays equal to a direct count of the timelines'
-- 'case.reopen' events under the case's current category.

-- Why definer rights: as in 0065, the rows of the units above the case are not the caller's to
-- write; every value comes from the case row the caller was just allowed to change.
CREATE FUNCTION auth.cases_move_reworks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  SELECT count(*) INTO n FROM app.case_events e WHERE e.case_id = NEW.id AND e.kind = 'case.reopen';
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO app.rework_monthly AS r (scope_code, month, category, reworks)
  SELECT x.code, x.month, x.category, sum(x.delta)
  FROM (
    SELECT a.code, app.china_month(OLD.registered_at) AS month, k.category, -n AS delta
    FROM app.ancestor_codes(OLD.scope_code) AS a (code) CROSS JOIN (VALUES (''), (OLD.category_code)) AS k (category)
    UNION ALL
    SELECT a.code, app.china_month(NEW.registered_at), k.category, n
    FROM app.ancestor_codes(NEW.scope_code) AS a (code) CROSS JOIN (VALUES (''), (NEW.category_code)) AS k (category)
  ) AS x
  GROUP BY 1, 2, 3
  HAVING sum(x.delta) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, month, category) DO UPDATE SET reworks = r.reworks + excluded.reworks;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.cases_move_reworks() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.cases_move_reworks() FROM PUBLIC;
CREATE TRIGGER cases_move_reworks AFTER UPDATE OF category_code, scope_code, registered_at ON app.cases
  FOR EACH ROW WHEN (NEW.category_code IS DISTINCT FROM OLD.category_code
    OR NEW.scope_code IS DISTINCT FROM OLD.scope_code
    OR app.china_month(NEW.registered_at) IS DISTINCT FROM app.china_month(OLD.registered_at))
  EXECUTE FUNCTION auth.cases_move_reworks();
