-- Text search with a filter: the walk reads a bounded number of rows, and a text frequent only
-- among the newest cases leaves the slices after three (issue 9 §2).
--
-- auth.case_page first walks the subtree's newest rows, testing each against the text (0031/0080).
-- The walk's statement held the filters in its condition and its LIMIT counted the rows that passed
-- them, so with a narrow filter it read on through the subtree until 500 (then 2,000) rows had
-- passed: 宅基地 among the province's cases in state registered or accepted read every case of the
-- 100 k copy (52,000 pages, 400 ms) before going to the index. The walk of a text of three
-- characters or more (mode 'scan') now reads the subtree's newest rows whatever the filters leave
-- of them, and each row's verdict is the text and the filters together; a shorter text, which no
-- index can look up, keeps the walk as it was. With the filters in the text index (0201) the lookup
-- that follows returns only rows that pass them.
--
-- The slices (0080), the newest 30 days of the subtree at a time, serve a text met often in the
-- walk: each costs a lookup of its own. A text met often among the newest cases only (with a filter
-- for open states, say) went through every slice back to the subtree's oldest case, 36 lookups at
-- three years. After three slices the rest is now one lookup of the older slices (mode 'older').
--
-- Same rows in the same order: every statement still tests the whole text and every filter, and
-- the page is still the newest matches. The two functions are patched where they are defined now
-- (the statements' text, 0176, and the page function, 0177, or a later migration's), so that this
-- change keeps whatever else a later definition of them holds; a missing piece stops the migration.

-- The filters of a page's statement as conditions (0031's list, in its order).
CREATE FUNCTION app.case_page_filters(p_status boolean, p_category boolean, p_channel boolean, p_risk boolean,
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
  FOR i IN 1 .. cardinality(sql_pieces) / 2 LOOP
    IF strpos(def, sql_pieces[2 * i - 1]) = 0 THEN
      RAISE EXCEPTION '0202: app.case_page_sql does not hold %', sql_pieces[2 * i - 1];
    END IF;
    def := replace(def, sql_pieces[2 * i - 1], sql_pieces[2 * i]);
  END LOOP;
  EXECUTE def;
  def := pg_get_functiondef('auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text, timestamptz, uuid, integer)'::regprocedure);
  FOR i IN 1 .. cardinality(page_pieces) / 2 LOOP
    IF strpos(def, page_pieces[2 * i - 1]) = 0 THEN
      RAISE EXCEPTION '0202: auth.case_page does not hold %', page_pieces[2 * i - 1];
    END IF;
    def := replace(def, page_pieces[2 * i - 1], page_pieces[2 * i]);
  END LOOP;
  EXECUTE def;
END $patch$;
