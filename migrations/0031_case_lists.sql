-- The case inbox at every tier (issue 9): one page of a subtree, newest first, under any filter,
-- in a few milliseconds at 10 M cases.
--
-- What a subtree page needs from the planner, and why the candidate rows are chosen inside a
-- SECURITY DEFINER function rather than under the caller's policy:
-- * Time order for a subtree: a btree returns rows in time order only below an equality, and a
--   subtree is an equality only on the code cut to the subtree's tier. Cases therefore carry
--   their ancestors' codes per tier (province_code, city_code, township_code; county_code
--   exists) with an index (tier code, registered_at desc, id desc) each; a province, nearly
--   all of its deployment, pages the time index.
-- * Under RLS, a user predicate may become an index condition only if its operators are
--   leakproof, and the enum equalities (status, channel, risk), LIKE (trigram search) and
--   length() are not: under the policy no filter could use an index, and a narrowing
--   predicate on a tier column multiplies its selectivity with the policy's own range (the
--   planner takes them for independent), underestimating a village's page 1,000-fold.
-- So auth.case_page() picks the page's ids with the caller's scope as a bound parameter and
-- its own copy of the visibility rule (subtree of the scope, plus cases a sideways handler in
-- it holds), without the policy in the way; the service then reads those rows through RLS as
-- usual, so the policy still guards every row returned. The function reads the scope from the
-- transaction's setting, never from its caller, and returns ids and times only.

-- 0030's trigger fired only when an UPDATE named the colour, but the timing trigger recolours a
-- clock whose times change: follow the clock's state whichever columns the statement set.
DROP TRIGGER case_deadlines_follow_case ON app.case_deadlines;
CREATE TRIGGER case_deadlines_follow_case AFTER INSERT ON app.case_deadlines
  FOR EACH ROW EXECUTE FUNCTION app.case_deadlines_follow_case();
CREATE TRIGGER case_deadlines_follow_case_update AFTER UPDATE ON app.case_deadlines
  FOR EACH ROW WHEN (OLD.colour IS DISTINCT FROM NEW.colour OR OLD.completed_at IS DISTINCT FROM NEW.completed_at
    OR OLD.paused_since IS DISTINCT FROM NEW.paused_since)
  EXECUTE FUNCTION app.case_deadlines_follow_case();

ALTER TABLE app.cases
  ADD COLUMN township_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 9)) STORED,
  ADD COLUMN city_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 4)) STORED,
  ADD COLUMN province_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 2)) STORED,
  -- 30-day slices of registration time, for text search in big subtrees (newest slices first).
  ADD COLUMN reg_bucket integer GENERATED ALWAYS AS
    (floor(extract(epoch FROM registered_at - timestamptz '2000-01-01 00:00:00+00') / 2592000)::integer) STORED;
-- Room on each page for the frequent non-indexed updates (timeline appends) to stay HOT.
ALTER TABLE app.cases SET (fillfactor = 90);

DROP INDEX app.cases_scope_idx;
-- Each carries the filter columns, so that a filtered page is an index-only walk that visits the
-- table only for the rows it returns.
CREATE INDEX cases_scope_time_idx ON app.cases (scope_code, registered_at DESC, id DESC)
  INCLUDE (status, category_code, channel, risk_grade, deadline_colour);
CREATE INDEX cases_township_time_idx ON app.cases (township_code, registered_at DESC, id DESC)
  INCLUDE (status, category_code, channel, risk_grade, deadline_colour, scope_code);
CREATE INDEX cases_county_time_idx ON app.cases (county_code, registered_at DESC, id DESC)
  INCLUDE (status, category_code, channel, risk_grade, deadline_colour, scope_code);
CREATE INDEX cases_city_time_idx ON app.cases (city_code, registered_at DESC, id DESC)
  INCLUDE (status, category_code, channel, risk_grade, deadline_colour, scope_code);
CREATE INDEX cases_time_idx ON app.cases (registered_at DESC, id DESC)
  INCLUDE (province_code, status, category_code, channel, risk_grade, deadline_colour, scope_code);
-- Filters rare enough that walking a tier index would read too far (a state, a running clock's
-- colour, a risk grade): each in time order, carrying the tier codes so that any subtree can be
-- picked out of it without visiting the table.
DROP INDEX app.cases_status_idx;
CREATE INDEX cases_status_time_idx ON app.cases (status, registered_at DESC, id DESC)
  INCLUDE (province_code, city_code, county_code, township_code, scope_code);
CREATE INDEX cases_colour_time_idx ON app.cases (deadline_colour, registered_at DESC, id DESC)
  INCLUDE (province_code, city_code, county_code, township_code, scope_code) WHERE deadline_colour IS NOT NULL;
CREATE INDEX cases_risk_time_idx ON app.cases (risk_grade, registered_at DESC, id DESC)
  INCLUDE (province_code, city_code, county_code, township_code, scope_code) WHERE risk_grade <> 'none';
-- Text search over titles and codes: one GIN index holding the codes of every tier (btree_gin)
-- beside the titles' and codes' trigrams (pg_trgm), so that "this subtree and this text" is one
-- index scan that returns only the subtree's matches.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;
CREATE INDEX cases_text_idx ON app.cases
  USING gin (scope_code, township_code, county_code, city_code, province_code, reg_bucket, title gin_trgm_ops,
    code gin_trgm_ops);
-- The tier filter is a length of the code: give the planner its distribution.
CREATE STATISTICS app.cases_level_stats ON (length(scope_code)) FROM app.cases;

-- The statements auth.case_page runs for a subtree page (kept apart so tests can EXPLAIN the
-- exact text). Parameters: $1 unit code, $2 states, $3 category, $4 channel, $5 risk grade,
-- $6 colour, $7 code length of the registering unit, $8 LIKE pattern, $9/$10 cursor time and id,
-- $11 page size, $12 the caller's scope (for the sideways branch), $13 a time slice. Only the
-- filters given appear in the text, so every plan is made for the filters at hand.
-- p_text: 'none'; 'walk' (the subtree in time order from the cursor, each row saying whether it
-- matches the text: cheap when the text is frequent, the only way when it is too short for
-- trigrams); 'match' (the text as an index condition: the subtree's matches, sorted);
-- 'slice' (the same within one 30-day slice of registration time, for big subtrees).
CREATE FUNCTION app.case_page_sql(p_unit_length integer, p_sideways boolean, p_status boolean, p_category boolean,
  p_channel boolean, p_risk boolean, p_colour boolean, p_level boolean, p_text text, p_code_q boolean,
  p_before boolean) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  subtree constant text := CASE p_unit_length
    WHEN 12 THEN 'c.scope_code = $1'
    WHEN 9 THEN 'c.township_code = $1'
    WHEN 6 THEN 'c.county_code = $1'
    WHEN 4 THEN 'c.city_code = $1'
    ELSE 'c.province_code = $1' END;
  text_test constant text := CASE WHEN p_code_q THEN 'c.code LIKE $8' ELSE 'c.title LIKE $8' END;
  cols constant text := 'c.id, c.registered_at' || CASE WHEN p_text = 'walk' THEN ', ' || text_test || ' AS hit' ELSE '' END;
  f text := '';
  q text;
BEGIN
  IF p_status THEN f := f || ' AND c.status = ANY ($2)'; END IF;
  IF p_category THEN f := f || ' AND c.category_code = $3'; END IF;
  IF p_channel THEN f := f || ' AND c.channel = $4'; END IF;
  IF p_risk THEN f := f || ' AND c.risk_grade = $5'; END IF;
  IF p_colour THEN f := f || ' AND c.deadline_colour = $6'; END IF;
  IF p_level THEN f := f || ' AND length(c.scope_code) = $7'; END IF;
  IF p_text IN ('match', 'slice') THEN f := f || ' AND ' || text_test; END IF;
  IF p_text = 'slice' THEN f := f || ' AND c.reg_bucket = $13'; END IF;
  IF p_before THEN f := f || ' AND (c.registered_at, c.id) < ($9, $10)'; END IF;
  q := 'SELECT ' || cols || ' FROM app.cases c WHERE ' || subtree || f
    || ' ORDER BY c.registered_at DESC, c.id DESC LIMIT $11';
  IF p_sideways THEN
    -- Cases registered elsewhere that a unit of the scope handles sideways (assigned across branches).
    q := '(' || q || ') UNION ALL (SELECT ' || cols || ' FROM app.cases c'
      || ' WHERE c.handler_code >= $12 AND c.handler_code < $12 || '':'''
      || ' AND NOT (c.scope_code >= $12 AND c.scope_code < $12 || '':'')' || f
      || ' ORDER BY c.registered_at DESC, c.id DESC LIMIT $11) ORDER BY 2 DESC, 1 DESC LIMIT $11';
  END IF;
  RETURN q;
END $$;

-- One page of the cases the caller may see, ids and registration times newest first (keyset
-- on registration time and id). `p_unit` narrows the subtree to a unit inside the caller's
-- scope (null: the whole scope, including cases held sideways); outside it, nothing. A text
-- is looked for in titles, or in case codes when it is made of digits and dashes.
CREATE FUNCTION auth.case_page(p_unit text, p_status app.case_state[], p_category text, p_channel app.case_channel,
  p_risk app.risk_grade, p_colour text, p_level integer, p_q text, p_before_at timestamptz, p_before_id uuid,
  p_limit integer)
RETURNS TABLE (id uuid, registered_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp
  -- A page reads a few thousand rows at most: starting parallel workers would cost more than it saves.
  SET max_parallel_workers_per_gather = 0 ROWS 50 AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  unit constant text := coalesce(p_unit, s);
  q constant text := nullif(btrim(p_q), '');
  code_q constant boolean := q ~ '^[0-9-]+$';
  pattern constant text := '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  chunk constant integer := 2000;
  has_status constant boolean := p_status IS NOT NULL;
  walk text;
  slice text;
  at timestamptz := p_before_at;
  after uuid := p_before_id;
  ids uuid[] := '{}';
  times timestamptz[] := '{}';
  c_ids uuid[];
  c_times timestamptz[];
  c_hits boolean[];
  n integer;
  newest integer;
  oldest integer;
BEGIN
  -- Why: this runs with the definer's rights, so it may only ever look inside the caller's own
  -- subtree, as the transaction's tenant context (set by the server, never by a client) says.
  IF s IS NULL OR s !~ '^[0-9]{2,12}$' OR unit !~ '^[0-9]+$' OR length(unit) NOT IN (2, 4, 6, 9, 12)
     OR NOT starts_with(unit, s) OR p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 THEN
    RETURN;
  END IF;
  IF q IS NULL THEN
    RETURN QUERY EXECUTE app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL,
        p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'none', false,
        p_before_at IS NOT NULL)
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, NULL::text, p_before_at, p_before_id,
        p_limit, s, NULL::integer;
    RETURN;
  END IF;
  IF q ~ '^[0-9]{2,12}-[0-9]{4}-[0-9]{6}$' THEN
    -- A whole case code: that one case, if it lies in the subtree (or is held sideways in it).
    RETURN QUERY SELECT c.id, c.registered_at FROM app.cases c
      WHERE c.code = q AND (starts_with(c.scope_code, unit) OR (unit = s AND starts_with(c.handler_code, s)))
        AND (p_status IS NULL OR c.status = ANY (p_status)) AND (p_category IS NULL OR c.category_code = p_category)
        AND (p_channel IS NULL OR c.channel = p_channel) AND (p_risk IS NULL OR c.risk_grade = p_risk)
        AND (p_colour IS NULL OR c.deadline_colour = p_colour) AND (p_level IS NULL OR length(c.scope_code) = p_level)
        AND (p_before_at IS NULL OR (c.registered_at, c.id) < (p_before_at, p_before_id));
    RETURN;
  END IF;
  -- Any other text. First the newest rows of the subtree, each tested: a frequent text fills the
  -- page within one chunk, and a text under three characters (no trigrams) has no other way.
  walk := 'SELECT array_agg(w.id ORDER BY w.registered_at DESC, w.id DESC), '
    || 'array_agg(w.registered_at ORDER BY w.registered_at DESC, w.id DESC), '
    || 'array_agg(w.hit ORDER BY w.registered_at DESC, w.id DESC) FROM ('
    || app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL, p_channel IS NOT NULL,
      p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'walk', code_q, true) || ') w';
  LOOP
    EXECUTE walk INTO c_ids, c_times, c_hits
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern,
        coalesce(at, 'infinity'::timestamptz), coalesce(after, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), chunk, s,
        NULL::integer;
    n := coalesce(cardinality(c_ids), 0);
    FOR i IN 1 .. n LOOP
      IF c_hits[i] THEN
        ids := ids || c_ids[i];
        times := times || c_times[i];
      END IF;
    END LOOP;
    IF cardinality(ids) >= p_limit OR n < chunk THEN
      RETURN QUERY SELECT x.id, x.at FROM unnest(ids[1:p_limit], times[1:p_limit]) AS x (id, at);
      RETURN;
    END IF;
    IF newest IS NULL THEN
      newest := floor(extract(epoch FROM c_times[1] - timestamptz '2000-01-01 00:00:00+00') / 2592000)::integer;
    END IF;
    EXIT WHEN length(q) >= 3;
    at := c_times[n];
    after := c_ids[n];
  END LOOP;
  -- A rarer text: its trigrams in the index, within the subtree; in a city or a province, when
  -- the walk met it at all, slice by slice from the newest, so that a text matching thousands of
  -- rows there sorts one slice's matches only.
  IF length(unit) >= 6 OR cardinality(ids) = 0 THEN
    RETURN QUERY EXECUTE app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL,
        p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'match', code_q,
        p_before_at IS NOT NULL)
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, p_before_at, p_before_id,
        p_limit, s, NULL::integer;
    RETURN;
  END IF;
  EXECUTE 'SELECT c.reg_bucket FROM app.cases c WHERE '
      || CASE length(unit) WHEN 4 THEN 'c.city_code = $1' ELSE 'c.province_code = $1' END
      || ' ORDER BY c.registered_at, c.id LIMIT 1'
    INTO oldest USING unit;
  slice := app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL, p_channel IS NOT NULL,
    p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'slice', code_q, p_before_at IS NOT NULL);
  ids := '{}';
  times := '{}';
  FOR b IN REVERSE newest .. coalesce(oldest, newest) LOOP
    EXECUTE 'SELECT array_agg(w.id ORDER BY w.registered_at DESC, w.id DESC), '
        || 'array_agg(w.registered_at ORDER BY w.registered_at DESC, w.id DESC) FROM (' || slice || ') w'
      INTO c_ids, c_times
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, p_before_at, p_before_id,
        p_limit - cardinality(ids), s, b;
    ids := ids || coalesce(c_ids, '{}');
    times := times || coalesce(c_times, '{}');
    EXIT WHEN cardinality(ids) >= p_limit;
  END LOOP;
  RETURN QUERY SELECT x.id, x.at FROM unnest(ids, times) AS x (id, at);
END $$;
ALTER FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer,
  text, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer,
  text, timestamptz, uuid, integer) TO zz_app;
