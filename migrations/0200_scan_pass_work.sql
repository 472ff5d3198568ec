-- The minute scan's pass does only the work its recoloured clocks need (issue 9 §4;
-- bench/results/2026-12-02-1m.analysis.md, "Jobs": a pass that recoloured one clock took 1.0-1.8 s).
--
-- What a pass ran beside its one UPDATE of the clocks, read from auto_explain with nested
-- statements on a 100 k copy (2 cores, load 35-55):
-- * At commit, for every recoloured clock, the deferred figures trigger (0040) recomputed the
--   case's facts (app.case_fact: the case, its follow-ups, hops, clocks and links, five
--   statements, then a row lock on its facts). A clock's colour enters the facts only as "red"
--   (the case is late: `colour = 'red' OR completed_at > due_at`), so a clock turning from blue
--   to yellow, half of all recolours, can never change them. The trigger now fires on an update
--   only when the clock's red-ness, its completion or its due time changes; on an insert as before.
-- * The fold (auth.compact_figures, 0041/0171) looked up the table's columns in the catalogue and
--   built and ran its two statements for each of its four tables on every pass (about thirty
--   statements), whether or not any shard row was there; a pass with one recoloured clock leaves
--   shard rows in the clocks' rollups only. It now first asks whether the table has a shard row
--   (its partial index on shard <> 0) and returns when not. Rows at zero appear only by a fold,
--   so there is nothing for its zero-row delete either.

DROP TRIGGER case_deadlines_figures ON app.case_deadlines;
CREATE CONSTRAINT TRIGGER case_deadlines_figures AFTER INSERT ON app.case_deadlines
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('case_id');
CREATE CONSTRAINT TRIGGER case_deadlines_figures_update AFTER UPDATE OF colour, completed_at, due_at
  ON app.case_deadlines DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.colour = 'red') IS DISTINCT FROM (NEW.colour = 'red') OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
    OR OLD.due_at IS DISTINCT FROM NEW.due_at)
  EXECUTE FUNCTION app.case_figures_touch('case_id');

-- 0171's fold, with the early return.
CREATE OR REPLACE FUNCTION auth.compact_figures(p_table regclass, p_key text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  sums text[];
  keys text;
  picked text;
  positions text;
  pending boolean;
BEGIN
  EXECUTE format('SELECT EXISTS (SELECT FROM %s WHERE shard <> 0)', p_table) INTO pending;
  IF NOT pending THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = p_table AND a.attname = 'county_code' AND NOT a.attisdropped) THEN
    p_key := p_key || ARRAY['county_code'];
  END IF;
  keys := array_to_string(p_key, ', ');
  picked := (SELECT string_agg(CASE WHEN k = 'county_code' THEN 'left(scope_code, 6)' ELSE k END, ', ' ORDER BY i)
             FROM unnest(p_key) WITH ORDINALITY AS x (k, i));
  positions := (SELECT string_agg(i::text, ', ' ORDER BY i) FROM generate_series(1, cardinality(p_key)) i);
  SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO sums FROM pg_attribute a
  WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname <> ALL (p_key || ARRAY['shard']) AND a.attgenerated = '';
  EXECUTE format(
    'WITH moved AS (DELETE FROM %1$s t USING (SELECT ctid FROM %1$s WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
       WHERE t.ctid = x.ctid RETURNING t.*)
     INSERT INTO %1$s AS t (%2$s, shard, %3$s) SELECT %6$s, 0, %4$s FROM moved GROUP BY %7$s ORDER BY %7$s
     ON CONFLICT (%2$s, shard) DO UPDATE SET %5$s',
    p_table, keys, array_to_string(sums, ', '),
    (SELECT string_agg(format('sum(%s)', s), ', ') FROM unnest(sums) s),
    (SELECT string_agg(format('%1$s = t.%1$s + excluded.%1$s', s), ', ') FROM unnest(sums) s),
    picked, positions);
  EXECUTE format('DELETE FROM %s WHERE shard = 0 AND %s', p_table,
    (SELECT string_agg(format('%s = 0', s), ' AND ') FROM unnest(sums) s));
END $$;
