-- 0202 again where it is missing (issue 9 §2): 0202 patched the page function and its statements'
-- text where they were defined. A database migrated to 0202 before 0190 (Citus, lower in number)
-- arrived had 0190 applied after it, which redefined both without 0202's pieces (the shared 1 M
-- bench database). Each function is patched here only when it lacks 0202's pieces; where 0202
-- already holds (every database migrated in order) nothing changes.

-- The filters of a page's statement as conditions (0031's list, in its order).
CREATE OR REPLACE FUNCTION app.case_page_filters(p_status boolean, p_category boolean, p_channel boolean, p_risk boolean,
  p_colour boolean, p_level boolean) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_status THEN ' AND c.status = ANY ($2)' ELSE '' END
    || CASE WHEN p_category THEN ' AND c.category_code = $3' ELSE '' END
    || CASE WHEN p_channel THEN ' AND c.channel = $4' ELSE '' END
    || CASE WHEN p_risk THEN ' AND c.risk_grade = $5' ELSE '' END
    || CASE WHEN p_colour THEN ' AND c.deadline_colour = $6' ELSE '' END
    || CASE WHEN p_level THEN ' AND length(c.scope_code) = $7' ELSE '' END
$$;

DO $patch$
DECLARE
  def text;
  -- Each pair: the text as defined now, and what it becomes.
  sql_pieces constant text[] := ARRAY[
    $a$CASE WHEN p_text = 'walk' THEN ', ' || text_test || ' AS hit' ELSE '' END$a$,
    $b$CASE WHEN p_text = 'walk' THEN ', ' || text_test || ' AS hit'
      WHEN p_text = 'scan' THEN ', (' || text_test
        || app.case_page_filters(p_status, p_category, p_channel, p_risk, p_colour, p_level) || ') IS TRUE AS hit'
      ELSE '' END$b$,
    $a$  IF p_status THEN f := $a$, $b$  IF p_status AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_category THEN f := $a$, $b$  IF p_category AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_channel THEN f := $a$, $b$  IF p_channel AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_risk THEN f := $a$, $b$  IF p_risk AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_colour THEN f := $a$, $b$  IF p_colour AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_level THEN f := $a$, $b$  IF p_level AND p_text <> 'scan' THEN f := $b$,
    $a$  IF p_text IN ('match', 'slice') THEN f := f || ' AND ' || text_test; END IF;
$a$,
    $b$  IF p_text IN ('match', 'slice', 'older') THEN f := f || ' AND ' || text_test; END IF;
  -- 'older' (0202): the matches of the slice given and of every older one, in one lookup.
  IF p_text = 'older' THEN f := f || ' AND c.reg_bucket <= $13'; END IF;
$b$];
  page_pieces constant text[] := ARRAY[
    $a$'walk', code_q, true) || ') w';$a$,
    $b$CASE WHEN length(q) >= 3 THEN 'scan' ELSE 'walk' END, code_q, true) || ') w';$b$,
    $a$  rare text[];
$a$,
    $b$  rare text[];
  tried integer := 0;
$b$,
    $a$  FOR b IN REVERSE newest .. coalesce(oldest, newest) LOOP
$a$,
    $b$  FOR b IN REVERSE newest .. coalesce(oldest, newest) LOOP
    -- After three slices short of a page, the older ones in one lookup (0202).
    IF tried = 3 THEN
      slice := app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL, p_channel IS NOT NULL,
        p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'older', code_q, p_before_at IS NOT NULL);
    END IF;
    tried := tried + 1;
$b$,
    $a$    EXIT WHEN cardinality(ids) >= p_limit;
  END LOOP;$a$,
    $b$    EXIT WHEN cardinality(ids) >= p_limit OR tried > 3;
  END LOOP;$b$];
BEGIN
  def := pg_get_functiondef('app.case_page_sql(integer, boolean, boolean, boolean, boolean, boolean, boolean, boolean,
    text, boolean, boolean, boolean)'::regprocedure);
  IF strpos(def, sql_pieces[2]) = 0 THEN
  FOR i IN 1 .. cardinality(sql_pieces) / 2 LOOP
    IF strpos(def, sql_pieces[2 * i - 1]) = 0 THEN
      RAISE EXCEPTION '0203: app.case_page_sql does not hold %', sql_pieces[2 * i - 1];
    END IF;
    def := replace(def, sql_pieces[2 * i - 1], sql_pieces[2 * i]);
  END LOOP;
  EXECUTE def;
  END IF;
  def := pg_get_functiondef('auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text, timestamptz, uuid, integer)'::regprocedure);
  IF strpos(def, page_pieces[2]) = 0 THEN
  FOR i IN 1 .. cardinality(page_pieces) / 2 LOOP
    IF strpos(def, page_pieces[2 * i - 1]) = 0 THEN
      RAISE EXCEPTION '0203: auth.case_page does not hold %', page_pieces[2 * i - 1];
    END IF;
    def := replace(def, page_pieces[2 * i - 1], page_pieces[2 * i]);
  END LOOP;
  EXECUTE def;
  END IF;
END $patch$;
