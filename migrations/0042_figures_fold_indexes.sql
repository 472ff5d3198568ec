-- The minute scan's fold of the cockpit's figure shards (auth.compact_figures, 0041) read both
-- figure tables whole twice a pass: once to find the shard rows to fold, once to find the rows a
-- fold left at zero (640 ms and 1.6 s of each pass at 1 M cases, bench/results/2026-12-01-1m.md).
-- Both reads become index reads of the few rows they want, with the function unchanged:
-- 1. the shard rows (written since the last pass) get a partial index on shard <> 0;
-- 2. the rows of shard 0 whose every sum is zero (only a fold makes them) get a partial index
--    whose predicate is exactly the function's "shard = 0 AND <every sum> = 0", built from the
--    same columns in the same order, so the planner proves the DELETE's condition implies it.
DO $migration$
DECLARE
  t record;
  sums text;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('app.figures_monthly'::regclass, ARRAY['scope_code', 'month'], 'figures_monthly'),
      ('app.figures_monthly_by'::regclass, ARRAY['scope_code', 'month', 'dim', 'key'], 'figures_monthly_by'))
      AS v (rel, keys, name) LOOP
    SELECT string_agg(format('%s = 0', quote_ident(a.attname)), ' AND ' ORDER BY a.attnum) INTO sums
    FROM pg_attribute a
    WHERE a.attrelid = t.rel AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attname <> ALL (t.keys || ARRAY['shard']) AND a.attgenerated = '';
    EXECUTE format('CREATE INDEX %I ON %s (shard) WHERE shard <> 0', t.name || '_shards_idx', t.rel);
    EXECUTE format('CREATE INDEX %I ON %s (shard) WHERE shard = 0 AND %s', t.name || '_zero_idx', t.rel, sums);
  END LOOP;
END $migration$;
