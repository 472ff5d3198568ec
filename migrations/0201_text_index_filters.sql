-- Text search with the inbox's filters inside the text index, and the exports' match count by the
-- list's own lookup (issue 9 §2; bench/results/2026-12-02-1m.analysis.md, "Left").
--
-- A text whose pieces are all common (no rare trigram, 0176) goes to the full trigram lookup of
-- cases_text_idx (0031): the subtree's code and the text's trigrams are index keys, the filters
-- (state, category, channel, risk grade, clock colour) are not, so every case of the subtree that
-- holds the text was read from the table to test them. 宅基地 is in ~4 % of all titles: with a
-- filter that leaves few of them (宅基地边界纠纷 among labour cases, 0 matches) the province's lookup
-- read 4,347 rows and 3,700 table pages at 100 k cases (40 ms), ten times that at 1 M. With the
-- filter columns as keys of the same index (btree_gin, as the codes are), the index returns only
-- the rows that pass the filters too: the same lookup read 80 index pages and no table row (1.9 ms).
-- Same rows in the same order: only what the index can answer changes, every statement still
-- tests the whole text and every filter on the rows it returns. The clock colour changes when the
-- minute scan recolours a case, an update that already writes a new row version into every index
-- of app.cases (deadline_colour is in the time indexes' INCLUDE lists); one more key here.
--
-- auth.case_count (0038), the exports' and the inbox's bounded count of a filter, looked a text up
-- by all its trigrams whatever it was; it now takes the list's path for a text with a rare
-- trigram (0176/0177: the rare trigrams alone as the index condition, the subtree and the whole
-- text tested on the rows they return), and the full lookup (now with the filters) otherwise.

SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX cases_text_filters_idx ON app.cases
  USING gin (scope_code, township_code, county_code, city_code, province_code, reg_bucket, status, category_code,
    channel, risk_grade, deadline_colour, title gin_trgm_ops, code gin_trgm_ops)
  WITH (fastupdate = off);
DROP INDEX app.cases_text_idx;
ALTER INDEX app.cases_text_filters_idx RENAME TO cases_text_idx;

-- Same signature, owner, settings and grants as 0038's.
CREATE OR REPLACE FUNCTION auth.case_count(p_unit text, p_status app.case_state[], p_category text, p_channel app.case_channel,
  p_risk app.risk_grade, p_colour text, p_level integer, p_q text, p_bound integer)
RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp
  SET max_parallel_workers_per_gather = 0 SET random_page_cost = 1.1 AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  unit constant text := coalesce(p_unit, s);
  q constant text := nullif(btrim(p_q), '');
  code_q constant boolean := q ~ '^[0-9-]+$';
  pattern constant text := '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  rare text[];
  n integer;
BEGIN
  IF s IS NULL OR s !~ '^[0-9]{2,12}$' OR unit !~ '^[0-9]+$' OR length(unit) NOT IN (2, 4, 6, 9, 12)
     OR NOT starts_with(unit, s) OR p_bound IS NULL OR p_bound NOT BETWEEN 1 AND 100000 THEN
    RETURN 0;
  END IF;
  -- A text with a rare trigram: counted from the rows the rare trigrams return, as the page finds them.
  IF q IS NOT NULL AND NOT code_q AND length(q) >= 3 THEN
    rare := auth.rare_title_grams(q);
  END IF;
  EXECUTE 'SELECT count(*)::integer FROM (' || app.case_page_sql(length(unit), unit = s, p_status IS NOT NULL,
      p_category IS NOT NULL, p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL,
      CASE WHEN q IS NULL THEN 'none' WHEN cardinality(rare) > 0 THEN 'rare' ELSE 'match' END, code_q, false, false)
      || ') x'
    INTO n
    USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, NULL::timestamptz, NULL::uuid,
      p_bound, s, NULL::integer, '%' || rare[1] || '%', '%' || coalesce(rare[2], rare[1]) || '%';
  RETURN n;
END $$;
