-- One source for the cockpit's figures (issue 10): migration 0032's app.case_monthly goes.
--
-- Two rollups counted what a month brought: 0032's app.case_monthly (received, accepted,
-- resolved, closed, group disputes, people and amounts, by the month each happened, kept by the
-- case trigger and by triggers on follow-ups and hops) and 0040/0041/0085's app.figures_monthly
-- with app.figures_monthly_by (the same figures and more, by registration month, per category,
-- kept by the deferred facts trigger). Every figure the cockpit, the ranking, the bulletin and
-- the exports show reads the second; the first fed only `cases.monthly`, a month-by-month
-- endpoint that no screen used and whose figures the cockpit's trend gives (cockpit.figures).
-- Both were maintained on every case change, both rebuilt after a bulk load, both folded by the
-- minute scan, and a test had to prove they agree. Now only the figures rollup is kept:
-- 1. the case trigger keeps the tallies only (and fires only when a tallied column changes);
-- 2. the follow-up and hop triggers that only fed case_monthly go, with their function;
-- 3. the fold and the rebuild no longer touch case_monthly;
-- 4. case_monthly, its key functions and `cases.resolved_on_time` (read by nothing else, kept by
--    a trigger of its own on every resolution) go.

-- 1. The case trigger: the tallies of 0032 (as extended by 0041 and 0085), nothing else.
CREATE OR REPLACE FUNCTION auth.cases_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  code constant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END;
BEGIN
  INSERT INTO app.case_tallies AS t (scope_code, dim, value, shard, n)
  SELECT a.code, k.dim, k.value, pg_backend_pid(), sum(k.d)
  FROM (SELECT x.dim, x.value, 1 AS d FROM app.case_tally_keys(NEW) x WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT x.dim, x.value, -1 FROM app.case_tally_keys(OLD) x WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(code) AS a (code)
  GROUP BY a.code, k.dim, k.value HAVING sum(k.d) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;
-- Only the columns app.case_tally_keys reads (and the unit the rows go to).
DROP TRIGGER cases_rollups_update ON app.cases;
CREATE TRIGGER cases_rollups_update AFTER UPDATE ON app.cases FOR EACH ROW
  WHEN ((OLD.scope_code, OLD.status, OLD.deadline_colour, OLD.category_code, OLD.channel, OLD.risk_grade,
         OLD.owner_code, OLD.group_dispute, OLD.followed_up)
    IS DISTINCT FROM (NEW.scope_code, NEW.status, NEW.deadline_colour, NEW.category_code, NEW.channel,
         NEW.risk_grade, NEW.owner_code, NEW.group_dispute, NEW.followed_up))
  EXECUTE FUNCTION auth.cases_rollups();

-- 2. Follow-ups and hops: the figures' deferred triggers (0040) count them.
DROP TRIGGER follow_ups_rollups ON app.follow_ups;
DROP TRIGGER case_hops_rollups ON app.case_hops;
DROP FUNCTION auth.case_children_rollups();

-- 3. The fold of the tallies' and clocks' shards (0039's, without case_monthly).
CREATE OR REPLACE FUNCTION auth.compact_case_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  z1 text[];
  z2 text[];
  z3 text[];
BEGIN
  WITH moved AS (
    DELETE FROM app.case_tallies t USING (SELECT ctid FROM app.case_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.scope_code, t.dim, t.value, t.n),
  folded AS (
    INSERT INTO app.case_tallies AS t (scope_code, dim, value, shard, n)
    SELECT scope_code, dim, value, 0, sum(n) FROM moved GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.scope_code, t.dim, t.value, t.n)
  SELECT array_agg(scope_code), array_agg(dim), array_agg(value) INTO z1, z2, z3 FROM folded WHERE n = 0;
  DELETE FROM app.case_tallies t USING unnest(z1, z2, z3) AS z (scope_code, dim, value)
  WHERE t.shard = 0 AND t.n = 0 AND t.scope_code = z.scope_code AND t.dim = z.dim AND t.value = z.value;

  WITH moved AS (
    DELETE FROM app.clock_tallies t USING (SELECT ctid FROM app.clock_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.scope_code, t.owner_code, t.colour, t.n),
  folded AS (
    INSERT INTO app.clock_tallies AS t (scope_code, owner_code, colour, shard, n)
    SELECT scope_code, owner_code, colour, 0, sum(n) FROM moved GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.scope_code, t.owner_code, t.colour, t.n)
  SELECT array_agg(scope_code), array_agg(owner_code), array_agg(colour) INTO z1, z2, z3 FROM folded WHERE n = 0;
  DELETE FROM app.clock_tallies t USING unnest(z1, z2, z3) AS z (scope_code, owner_code, colour)
  WHERE t.shard = 0 AND t.n = 0 AND t.scope_code = z.scope_code AND t.owner_code = z.owner_code AND t.colour = z.colour;
END $$;

-- The rebuild after a bulk load (0032's, renamed by 0081): the cases' derived columns and colours,
-- the tallies and the clocks. The figures have their own (app.rebuild_case_figures, 0040).
CREATE OR REPLACE FUNCTION app.rebuild_case_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- A superuser (the bulk loader) skips the row triggers: everything they keep is rebuilt here.
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    PERFORM set_config('session_replication_role', 'replica', true);
  END IF;
  PERFORM app.refresh_deadline_state(NULL);
  UPDATE app.cases c SET followed_up = x.followed
  FROM (SELECT c2.id, EXISTS (SELECT 1 FROM app.follow_ups f WHERE f.case_id = c2.id) AS followed FROM app.cases c2) x
  WHERE c.id = x.id AND c.followed_up IS DISTINCT FROM x.followed;
  DELETE FROM app.case_tallies;
  DELETE FROM app.clock_tallies;
  INSERT INTO app.case_tallies (scope_code, dim, value, shard, n)
    SELECT scope_code, dim, value, 0, n FROM app.expected_case_tallies();
  INSERT INTO app.clock_tallies (scope_code, owner_code, colour, shard, n)
    SELECT scope_code, owner_code, colour, 0, n FROM app.expected_clock_tallies();
END $$;
REVOKE ALL ON FUNCTION app.rebuild_case_rollups() FROM PUBLIC;

-- 4. What only case_monthly needed.
DROP FUNCTION app.expected_case_monthly();
DROP FUNCTION app.case_month_keys(app.cases);
DROP TABLE app.case_monthly;
DROP TRIGGER cases_resolution_timing ON app.cases;
DROP FUNCTION app.cases_resolution_timing();
ALTER TABLE app.cases DROP COLUMN resolved_on_time;

-- 5. Reworks after a bulk load. The rebuilds left app.rework_monthly (0065) as it was: a database
-- loaded with triggers off (the generator) had reworks on its timelines but none in the cockpit.
-- The rebuild after a load (app.rebuild_rollups, 0081) now recounts them from the timelines too.
CREATE FUNCTION app.rebuild_rework_monthly() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM app.rework_monthly;
  INSERT INTO app.rework_monthly (scope_code, month, category, reworks)
  SELECT a.code, app.china_month(c.registered_at), k.category, count(*)
  FROM app.case_events e JOIN app.cases c ON c.id = e.case_id
    CROSS JOIN LATERAL app.ancestor_codes(c.scope_code) AS a (code)
    CROSS JOIN LATERAL (VALUES (''), (c.category_code)) AS k (category)
  WHERE e.kind = 'case.reopen'
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rework_monthly() FROM PUBLIC;

CREATE OR REPLACE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM app.rebuild_case_rollups();
  PERFORM app.rebuild_holding_tallies();
  PERFORM app.rebuild_rework_monthly();
END $$;

-- A database loaded before this migration: its reworks, counted once (the owner reads past the
-- forced policies only while they are not forced, inside this transaction).
ALTER TABLE app.cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.rework_monthly NO FORCE ROW LEVEL SECURITY;
SELECT app.rebuild_rework_monthly();
ALTER TABLE app.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_events FORCE ROW LEVEL SECURITY;
ALTER TABLE app.rework_monthly FORCE ROW LEVEL SECURITY;
