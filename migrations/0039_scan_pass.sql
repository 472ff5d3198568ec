-- The deadline scan's pass at 1 M cases took 1.1 s with nothing to recolour (bench/results/
-- 2026-12-01-1m.md): two reads of it grew with the tables, not with the work.
--
-- 1. auth.compact_rollups (0032), run once a pass, found the shard rows to fold and the zero
--    rows to drop by scanning the rollup tables whole (514 k tallies and 3 M monthly rows at
--    1 M cases): ~1 s. The shard rows get a partial index (the few rows written since the last
--    pass), and only the rows a fold just brought to zero are dropped: zero rows of shard 0 only
--    ever come from a fold (the triggers write a backend's own shard, never 0; the rebuild writes
--    no zeros).
-- 2. The chase → notice step read every open supervision (25 k at 1 M, most already raised to a
--    notice, all of them past due) to find the chases among them: a partial index on the chases.

CREATE INDEX case_tallies_shards_idx ON app.case_tallies (shard) WHERE shard <> 0;
CREATE INDEX clock_tallies_shards_idx ON app.clock_tallies (shard) WHERE shard <> 0;
CREATE INDEX case_monthly_shards_idx ON app.case_monthly (shard) WHERE shard <> 0;

CREATE INDEX supervisions_chase_due_idx ON app.supervisions (due_at) WHERE status = 'open' AND level = 'chase';

-- Folds every backend's shard rows into shard 0 and drops the rows the fold left counting
-- nothing. Skips rows a running transaction holds (taken next time), so it never waits and
-- never deadlocks. Migration 0041 renames this function auth.compact_case_rollups (its
-- auth.compact_rollups calls it, then folds the cockpit's figures): where 0041 ran first, that
-- is the one replaced.
DO $migration$
BEGIN
EXECUTE format($create$CREATE OR REPLACE FUNCTION %s() RETURNS void
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

  WITH moved AS (
    DELETE FROM app.case_monthly t USING (SELECT ctid FROM app.case_monthly WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.*)
  INSERT INTO app.case_monthly AS t (scope_code, month, dim, value, shard, received, accepted, resolved,
    resolved_on_time, resolved_village, resolved_township, resolved_county, resolved_city, resolved_province,
    resolve_seconds, closed, closed_followed, group_disputes, people, amount_cents, follow_ups, satisfied,
    basically_satisfied, unsatisfied, escalations, returns, assignments)
  SELECT scope_code, month, dim, value, 0, sum(received), sum(accepted), sum(resolved), sum(resolved_on_time),
    sum(resolved_village), sum(resolved_township), sum(resolved_county), sum(resolved_city), sum(resolved_province),
    sum(resolve_seconds), sum(closed), sum(closed_followed), sum(group_disputes), sum(people), sum(amount_cents),
    sum(follow_ups), sum(satisfied), sum(basically_satisfied), sum(unsatisfied), sum(escalations), sum(returns),
    sum(assignments)
  FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (scope_code, month, dim, value, shard) DO UPDATE SET
    received = t.received + excluded.received, accepted = t.accepted + excluded.accepted,
    resolved = t.resolved + excluded.resolved, resolved_on_time = t.resolved_on_time + excluded.resolved_on_time,
    resolved_village = t.resolved_village + excluded.resolved_village,
    resolved_township = t.resolved_township + excluded.resolved_township,
    resolved_county = t.resolved_county + excluded.resolved_county,
    resolved_city = t.resolved_city + excluded.resolved_city,
    resolved_province = t.resolved_province + excluded.resolved_province,
    resolve_seconds = t.resolve_seconds + excluded.resolve_seconds, closed = t.closed + excluded.closed,
    closed_followed = t.closed_followed + excluded.closed_followed,
    group_disputes = t.group_disputes + excluded.group_disputes, people = t.people + excluded.people,
    amount_cents = t.amount_cents + excluded.amount_cents, follow_ups = t.follow_ups + excluded.follow_ups,
    satisfied = t.satisfied + excluded.satisfied, basically_satisfied = t.basically_satisfied + excluded.basically_satisfied,
    unsatisfied = t.unsatisfied + excluded.unsatisfied, escalations = t.escalations + excluded.escalations,
    returns = t.returns + excluded.returns, assignments = t.assignments + excluded.assignments;
END $$$create$, CASE WHEN to_regprocedure('auth.compact_case_rollups()') IS NULL THEN 'auth.compact_rollups'
  ELSE 'auth.compact_case_rollups' END);
END $migration$;
