-- The inbox at 1 M cases (bench/results/2026-12-01-1m.md), two costs that grow with the subtree:
--
-- 1. Cases held sideways. A unit's inbox and counts add the cases a unit of its subtree handles
--    although they were registered outside it (assigned down from above, or across branches):
--    `handler_code` in the subtree and `scope_code` not. The only index was on handler_code, so
--    every page of a city read all the cases handled anywhere in the city (3,239 at 1 M, all of
--    them registered inside it) to find none. A case is held sideways by a unit exactly when its
--    handler is inside the unit and the deepest unit its registering unit and its handler share
--    lies above the unit (shorter code): the registering unit is then outside. That tier is
--    app.handler_split(); indexed first, "= any(tiers above the unit)" makes the index return
--    only the sideways cases, in time order per tier.
-- 2. The total of a page the rollups cannot answer (text, or two filters): it was counted by the
--    page function itself, ordered by time, up to 1,000 matches: for a rare combination that is a
--    walk through the whole subtree (195 ms for open + red in a county at 1 M). A count needs no
--    order: auth.case_count counts up to the bound with whatever index the planner finds best,
--    and the rare filters' indexes carry the other filter columns for it.

-- The code length of the deepest unit both codes lie in (0: none, different provinces); null
-- without a handler. Codes have 2, 4, 6, 9 or 12 digits.
CREATE FUNCTION app.handler_split(p_scope text, p_handler text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_handler IS NULL THEN NULL
    WHEN length(p_scope) >= 12 AND length(p_handler) >= 12 AND left(p_scope, 12) = left(p_handler, 12) THEN 12
    WHEN length(p_scope) >= 9 AND length(p_handler) >= 9 AND left(p_scope, 9) = left(p_handler, 9) THEN 9
    WHEN length(p_scope) >= 6 AND length(p_handler) >= 6 AND left(p_scope, 6) = left(p_handler, 6) THEN 6
    WHEN length(p_scope) >= 4 AND length(p_handler) >= 4 AND left(p_scope, 4) = left(p_handler, 4) THEN 4
    WHEN left(p_scope, 2) = left(p_handler, 2) THEN 2
    ELSE 0 END
$$;

-- The tiers above a unit of this code length, as handler_split values (0 included: no common
-- unit): the sideways cases of a unit are those with a handler inside it and a split among these.
CREATE FUNCTION app.tiers_above(p_length integer) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(t ORDER BY t) FILTER (WHERE t < p_length) FROM unnest(ARRAY[0, 2, 4, 6, 9]) AS t
$$;

-- Only cases with a handler (the few assigned away from their owner) and only those a unit can
-- hold sideways (handled outside the registering unit's own code).
CREATE INDEX cases_sideways_idx ON app.cases (app.handler_split(scope_code, handler_code), handler_code,
    registered_at DESC, id DESC)
  INCLUDE (status, category_code, channel, risk_grade, deadline_colour, scope_code)
  WHERE handler_code IS NOT NULL AND handler_code <> scope_code;

-- The rare-filter indexes (0031) carry the other filters too, so that a count or page of two
-- filters (open and red, say) walks the rare one's entries without visiting the table.
DROP INDEX app.cases_colour_time_idx;
CREATE INDEX cases_colour_time_idx ON app.cases (deadline_colour, registered_at DESC, id DESC)
  INCLUDE (province_code, city_code, county_code, township_code, scope_code, status, category_code, channel, risk_grade)
  WHERE deadline_colour IS NOT NULL;
DROP INDEX app.cases_risk_time_idx;
CREATE INDEX cases_risk_time_idx ON app.cases (risk_grade, registered_at DESC, id DESC)
  INCLUDE (province_code, city_code, county_code, township_code, scope_code, status, category_code, channel,
    deadline_colour)
  WHERE risk_grade <> 'none';

-- The statements of the page function (0031), with the sideways branch through that index, and
-- without an order when `p_ordered` is false (the count: the matches up to $11, any order).
DROP FUNCTION app.case_page_sql(integer, boolean, boolean, boolean, boolean, boolean, boolean, boolean, text, boolean,
  boolean);
CREATE FUNCTION app.case_page_sql(p_unit_length integer, p_sideways boolean, p_status boolean, p_category boolean,
  p_channel boolean, p_risk boolean, p_colour boolean, p_level boolean, p_text text, p_code_q boolean,
  p_before boolean, p_ordered boolean DEFAULT true) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  subtree constant text := CASE p_unit_length
    WHEN 12 THEN 'c.scope_code = $1'
    WHEN 9 THEN 'c.township_code = $1'
    WHEN 6 THEN 'c.county_code = $1'
    WHEN 4 THEN 'c.city_code = $1'
    ELSE 'c.province_code = $1' END;
  text_test constant text := CASE WHEN p_code_q THEN 'c.code LIKE $8' ELSE 'c.title LIKE $8' END;
  cols constant text := CASE WHEN p_ordered
    THEN 'c.id, c.registered_at' || CASE WHEN p_text = 'walk' THEN ', ' || text_test || ' AS hit' ELSE '' END
    ELSE 'c.id' END;
  tail constant text := CASE WHEN p_ordered THEN ' ORDER BY c.registered_at DESC, c.id DESC' ELSE '' END || ' LIMIT $11';
  above constant integer[] := app.tiers_above(p_unit_length);
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
  q := 'SELECT ' || cols || ' FROM app.cases c WHERE ' || subtree || f || tail;
  IF p_sideways THEN
    -- Cases registered elsewhere that a unit of the scope handles sideways (assigned across
    -- branches, or down from above): handled inside the scope, split above it.
    q := '(' || q || ') UNION ALL (SELECT ' || cols || ' FROM app.cases c'
      || ' WHERE app.handler_split(c.scope_code, c.handler_code) = ANY (''' || above::text || '''::integer[])'
      || ' AND c.handler_code >= $12 AND c.handler_code < $12 || '':'' AND c.handler_code <> c.scope_code' || f
      || tail || ')' || CASE WHEN p_ordered THEN ' ORDER BY 2 DESC, 1 DESC' ELSE '' END || ' LIMIT $11';
  END IF;
  RETURN q;
END $$;

-- How many cases an inbox filter matches, counting at most `p_bound`: the same cases as
-- auth.case_page (the caller's subtree, or a unit in it, and what its units hold sideways), the
-- same filters and text rule, in no order. Definer rights for the reasons of 0031; the scope
-- comes from the transaction's setting, never from the caller.
CREATE FUNCTION auth.case_count(p_unit text, p_status app.case_state[], p_category text, p_channel app.case_channel,
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
  n integer;
BEGIN
  IF s IS NULL OR s !~ '^[0-9]{2,12}$' OR unit !~ '^[0-9]+$' OR length(unit) NOT IN (2, 4, 6, 9, 12)
     OR NOT starts_with(unit, s) OR p_bound IS NULL OR p_bound NOT BETWEEN 1 AND 100000 THEN
    RETURN 0;
  END IF;
  EXECUTE 'SELECT count(*)::integer FROM (' || app.case_page_sql(length(unit), unit = s, p_status IS NOT NULL,
      p_category IS NOT NULL, p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL,
      CASE WHEN q IS NULL THEN 'none' ELSE 'match' END, code_q, false, false) || ') x'
    INTO n
    USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, NULL::timestamptz, NULL::uuid,
      p_bound, s, NULL::integer;
  RETURN n;
END $$;
ALTER FUNCTION auth.case_count(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  integer) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.case_count(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer,
  text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.case_count(text, app.case_state[], text, app.case_channel, app.risk_grade, text,
  integer, text, integer) TO zz_app;

-- The ids of the cases units of the caller's scope hold sideways, for the overviews and totals
-- that add them (rollups.ts). Why a definer function: under the caller's policy the split is a
-- non-leakproof expression, which RLS evaluates only after its own range (every case of a
-- province, at 38 ms for 1 M); here it is the index condition. The scope is the transaction's.
CREATE FUNCTION auth.held_sideways() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp ROWS 100 AS $$
  SELECT c.id FROM app.cases c, nullif(current_setting('app.scope', true), '') AS s (scope)
  WHERE s.scope ~ '^[0-9]{2,12}$'
    AND app.handler_split(c.scope_code, c.handler_code) = ANY (app.tiers_above(length(s.scope)))
    AND c.handler_code >= s.scope AND c.handler_code < s.scope || ':' AND c.handler_code <> c.scope_code
$$;
ALTER FUNCTION auth.held_sideways() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.held_sideways() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.held_sideways() TO zz_app;
