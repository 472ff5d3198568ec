-- Reworks (重办) in the cockpit's figures (issue 13 §3): a case sent back for rework after its
-- result was rejected on follow-up (or reopened by its handler) counts once per reopening.
-- Counted like the figures of 0040/0041/0085: in the bucket of the case's origin unit and every
-- unit above it, of the month the case was registered in (the cohort), for every category ('')
-- and for the case's own, kept in the same transaction as the reopening.
--
-- A table and trigger of their own rather than a column of app.figures_monthly: the figure
-- functions (app.case_fact, app.apply_case_fact, app.rebuild_case_figures) are replaced by later
-- migrations, so a column added here would be dropped from them again. Reopenings are rare (a
-- few per hundred cases), so the rows need no shards.

CREATE TABLE app.rework_monthly (
  scope_code text COLLATE "C" NOT NULL,
  month      date NOT NULL,
  category   text COLLATE "C" NOT NULL,
  reworks    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_code, month, category)
);
ALTER TABLE app.rework_monthly ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.rework_monthly FORCE ROW LEVEL SECURITY;
-- A unit reads the rows of itself and its subtree; only the trigger below (as zz_auth) writes.
CREATE POLICY rework_monthly_read ON app.rework_monthly FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY rework_monthly_maintain ON app.rework_monthly FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT ON app.rework_monthly TO zz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.rework_monthly TO zz_auth;

-- Why definer rights: a village's reopening adds to its ancestors' rows, which its policy does not
-- let it write; every value comes from the case row the caller was just allowed to change.
CREATE FUNCTION auth.cases_count_rework() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.rework_monthly AS r (scope_code, month, category, reworks)
  SELECT a.code, app.china_month(NEW.registered_at), k.category, 1
  FROM app.ancestor_codes(NEW.scope_code) AS a (code) CROSS JOIN (VALUES (''), (NEW.category_code)) AS k (category)
  ORDER BY 1, 3
  ON CONFLICT (scope_code, month, category) DO UPDATE SET reworks = r.reworks + 1;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.cases_count_rework() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.cases_count_rework() FROM PUBLIC;
CREATE TRIGGER cases_count_rework AFTER UPDATE OF status ON app.cases
  FOR EACH ROW WHEN (NEW.status = 'reopened' AND OLD.status IS DISTINCT FROM 'reopened')
  EXECUTE FUNCTION auth.cases_count_rework();

-- The reopenings so far, from the timelines (read past the forced policies, as 0085 does).
ALTER TABLE app.cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.rework_monthly NO FORCE ROW LEVEL SECURITY;
INSERT INTO app.rework_monthly (scope_code, month, category, reworks)
SELECT a.code, app.china_month(c.registered_at), k.category, count(*)
FROM app.case_events e JOIN app.cases c ON c.id = e.case_id
  CROSS JOIN LATERAL app.ancestor_codes(c.scope_code) AS a (code)
  CROSS JOIN LATERAL (VALUES (''), (c.category_code)) AS k (category)
WHERE e.kind = 'case.reopen'
GROUP BY 1, 2, 3;
ALTER TABLE app.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_events FORCE ROW LEVEL SECURITY;
ALTER TABLE app.rework_monthly FORCE ROW LEVEL SECURITY;
