-- Citus: the case inbox reads its rows by county (issue 14 §6, infra/SCALE.md).
--
-- The inbox's statement joined the page of auth.case_page laterally to app.cases and
-- app.case_deadlines by id. Citus refuses that ("complex joins are only supported when all
-- distributed tables are joined on their distribution columns"): a function's rows carry no
-- distribution column the planner can see. The page now names each row's county, and the service
-- reads the page's rows by (county_code, id) in a statement of its own, the clocks grouped by
-- (county_code, case_id): on Citus a page of one county reads one shard, a page with cases of
-- other counties (held sideways, or a city's page) the shards of those counties only.
--
-- A township's and a village's subtree gets `county_code = left(unit, 6)` beside its code (a
-- county's was already `county_code = unit`), so that Citus routes its page and its count to the
-- county's shard; on one PostgreSQL the condition follows from the code. The dependency
-- statistics below tell the planner so: without them it would multiply the two selectivities,
-- take a township for a tenth of its size and could leave the township's time index for a sort.
-- The rare-trigram lookup (0176) keeps its subtree as a filter that no index takes.
--
-- Same rows in the same order: every statement picks what it picked; a column is added. Same
-- arguments, owner and grants; the page function's result has a third column, so it is made anew.

CREATE OR REPLACE FUNCTION app.case_page_sql(p_unit_length integer, p_sideways boolean, p_status boolean, p_category boolean,
  p_channel boolean, p_risk boolean, p_colour boolean, p_level boolean, p_text text, p_code_q boolean,
  p_before boolean, p_ordered boolean DEFAULT true) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  -- 'rare': the subtree as a filter that no index takes (the index condition is the rare
  -- trigrams alone; starts_with would become a range of scope codes in cases_text_idx).
  subtree constant text := CASE WHEN p_text = 'rare' THEN 'left(c.scope_code, length($1)) = $1' ELSE CASE p_unit_length
    WHEN 12 THEN 'c.scope_code = $1 AND c.county_code = left($1, 6)'
    WHEN 9 THEN 'c.township_code = $1 AND c.county_code = left($1, 6)'
    WHEN 6 THEN 'c.county_code = $1'
    WHEN 4 THEN 'c.city_code = $1'
    ELSE 'c.province_code = $1' END END;
  text_test constant text := CASE WHEN p_code_q THEN 'c.code LIKE $8' ELSE 'c.title LIKE $8' END;
  cols constant text := CASE WHEN p_ordered
    THEN 'c.id, c.registered_at, c.county_code' || CASE WHEN p_text = 'walk' THEN ', ' || text_test || ' AS hit' ELSE '' END
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
  -- The rare trigrams ($14, $15: each a LIKE pattern of three characters) as the index condition,
  -- the whole text as a test of the rows they return (an expression the index cannot take).
  IF p_text = 'rare' THEN f := f || ' AND c.title LIKE $14 AND c.title LIKE $15 AND (c.title || '''') LIKE $8'; END IF;
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

DROP FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer);

CREATE FUNCTION auth.case_page(p_unit text, p_status app.case_state[], p_category text, p_channel app.case_channel,
  p_risk app.risk_grade, p_colour text, p_level integer, p_q text, p_before_at timestamptz, p_before_id uuid,
  p_limit integer)
RETURNS TABLE (id uuid, registered_at timestamptz, county_code text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp
  -- A page reads a few thousand rows at most: starting parallel workers would cost more than it saves.
  SET max_parallel_workers_per_gather = 0 SET random_page_cost = 1.1 ROWS 50 AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  unit constant text := coalesce(p_unit, s);
  q constant text := nullif(btrim(p_q), '');
  code_q constant boolean := q ~ '^[0-9-]+$';
  pattern constant text := '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%';
  chunk constant integer := 2000;
  -- A first short chunk only for a text the index can look up (three characters or more).
  size integer := CASE WHEN length(nullif(btrim(p_q), '')) >= 3 THEN 500 ELSE 2000 END;
  walked integer := 0;
  sparse constant integer := 10;
  has_status constant boolean := p_status IS NOT NULL;
  walk text;
  slice text;
  at timestamptz := p_before_at;
  after uuid := p_before_id;
  ids uuid[] := '{}';
  times timestamptz[] := '{}';
  counties text[] := '{}';
  c_ids uuid[];
  c_times timestamptz[];
  c_counties text[];
  c_hits boolean[];
  n integer;
  newest integer;
  oldest integer;
  rare text[];
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
    RETURN QUERY SELECT c.id, c.registered_at, c.county_code FROM app.cases c
      WHERE c.code = q AND (starts_with(c.scope_code, unit) OR (unit = s AND starts_with(c.handler_code, s)))
        AND (p_status IS NULL OR c.status = ANY (p_status)) AND (p_category IS NULL OR c.category_code = p_category)
        AND (p_channel IS NULL OR c.channel = p_channel) AND (p_risk IS NULL OR c.risk_grade = p_risk)
        AND (p_colour IS NULL OR c.deadline_colour = p_colour) AND (p_level IS NULL OR length(c.scope_code) = p_level)
        AND (p_before_at IS NULL OR (c.registered_at, c.id) < (p_before_at, p_before_id));
    RETURN;
  END IF;
  -- A text with a rare trigram in a county or above: the rare lookup at once (0177). Its rows are
  -- at most ~0.1 % of all cases, fewer than the walk below would read before giving up on it.
  IF length(unit) <= 6 AND NOT code_q AND length(q) >= 3 THEN
    rare := auth.rare_title_grams(q);
    IF cardinality(rare) > 0 THEN
      RETURN QUERY EXECUTE app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL,
          p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'rare', false,
          p_before_at IS NOT NULL)
        USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, p_before_at, p_before_id,
          p_limit, s, NULL::integer, '%' || rare[1] || '%', '%' || coalesce(rare[2], rare[1]) || '%';
      RETURN;
    END IF;
  END IF;
  -- Any other text. First the newest rows of the subtree, each tested: a frequent text fills the
  -- page within one chunk, and a text under three characters (no trigrams) has no other way.
  walk := 'SELECT array_agg(w.id ORDER BY w.registered_at DESC, w.id DESC), '
    || 'array_agg(w.registered_at ORDER BY w.registered_at DESC, w.id DESC), '
    || 'array_agg(w.hit ORDER BY w.registered_at DESC, w.id DESC), '
    || 'array_agg(w.county_code ORDER BY w.registered_at DESC, w.id DESC) FROM ('
    || app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL, p_channel IS NOT NULL,
      p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'walk', code_q, true) || ') w';
  LOOP
    EXECUTE walk INTO c_ids, c_times, c_hits, c_counties
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern,
        coalesce(at, 'infinity'::timestamptz), coalesce(after, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), size, s,
        NULL::integer;
    n := coalesce(cardinality(c_ids), 0);
    FOR i IN 1 .. n LOOP
      IF c_hits[i] THEN
        ids := ids || c_ids[i];
        times := times || c_times[i];
        counties := counties || c_counties[i];
      END IF;
    END LOOP;
    IF cardinality(ids) >= p_limit OR n < size THEN
      RETURN QUERY SELECT x.id, x.at, x.county FROM unnest(ids[1:p_limit], times[1:p_limit], counties[1:p_limit])
        AS x (id, at, county);
      RETURN;
    END IF;
    IF newest IS NULL THEN
      newest := floor(extract(epoch FROM c_times[1] - timestamptz '2000-01-01 00:00:00+00') / 2592000)::integer;
    END IF;
    walked := walked + n;
    -- A text with trigrams goes to the index once the walk has read 2,000 rows, or sooner when
    -- the first 500 held none of it (a rare text: the walk would only cost time).
    EXIT WHEN length(q) >= 3 AND (walked >= chunk OR cardinality(ids) = 0);
    at := c_times[n];
    after := c_ids[n];
    size := CASE WHEN length(q) >= 3 THEN chunk - walked ELSE chunk END;
  END LOOP;
  -- A rarer text: its trigrams in the index, within the subtree, in one lookup (or its rare
  -- trigrams alone, below) (the planner,
  -- seeing the pattern, may still prefer the time walk). Only in a city or a province, and only
  -- when the walk met the text often enough that the subtree may hold thousands of matches,
  -- slice by slice from the newest, so that one slice's matches are sorted at a time: a text met
  -- fewer than `sparse` times in the walk's chunk has at most a few thousand matches in a
  -- province of a million cases, while each slice costs a whole trigram lookup (0080).
  IF length(unit) >= 6 OR cardinality(ids) < sparse THEN
    -- The text's rare trigrams, if the sample of titles knows any (0176): the lookup by those alone.
    rare := CASE WHEN NOT code_q AND length(unit) > 6 THEN auth.rare_title_grams(q) END;
    IF cardinality(rare) > 0 THEN
      RETURN QUERY EXECUTE app.case_page_sql(length(unit), unit = s, has_status, p_category IS NOT NULL,
          p_channel IS NOT NULL, p_risk IS NOT NULL, p_colour IS NOT NULL, p_level IS NOT NULL, 'rare', false,
          p_before_at IS NOT NULL)
        USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, p_before_at, p_before_id,
          p_limit, s, NULL::integer, '%' || rare[1] || '%', '%' || coalesce(rare[2], rare[1]) || '%';
      RETURN;
    END IF;
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
  counties := '{}';
  FOR b IN REVERSE newest .. coalesce(oldest, newest) LOOP
    EXECUTE 'SELECT array_agg(w.id ORDER BY w.registered_at DESC, w.id DESC), '
        || 'array_agg(w.registered_at ORDER BY w.registered_at DESC, w.id DESC), '
        || 'array_agg(w.county_code ORDER BY w.registered_at DESC, w.id DESC) FROM (' || slice || ') w'
      INTO c_ids, c_times, c_counties
      USING unit, p_status, p_category, p_channel, p_risk, p_colour, p_level, pattern, p_before_at, p_before_id,
        p_limit - cardinality(ids), s, b;
    ids := ids || coalesce(c_ids, '{}');
    times := times || coalesce(c_times, '{}');
    counties := counties || coalesce(c_counties, '{}');
    EXIT WHEN cardinality(ids) >= p_limit;
  END LOOP;
  RETURN QUERY SELECT x.id, x.at, x.county FROM unnest(ids, times, counties) AS x (id, at, county);
END $$;
ALTER FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer) TO zz_app;

-- The county of a case follows from its township and from its unit (each code starts with it).
CREATE STATISTICS app.cases_county_dependencies (dependencies) ON county_code, township_code, scope_code
  FROM app.cases;
ANALYZE app.cases;

-- The rows of a page, read as the caller (SECURITY INVOKER: the caller's policy decides what it
-- sees) by key, one lookup per id, with each case's nearest running clock: county by county, the
-- county a value of each statement, so that on Citus each statement goes to its county's shard as
-- it stands (a join of the page to the cases by a column of the page would be refused there).
-- In a function, so that the page and its rows still take one round trip. Newest first (the
-- caller orders the result). A lookup by id that a join would not make: joined plainly, the
-- planner misjudges the policy's range (it cannot see the scope) and hashes every case of a
-- township (`offset 0` keeps each lookup a lookup).
CREATE FUNCTION app.case_rows(p_ids uuid[], p_counties text[])
RETURNS TABLE (id uuid, code text, title text, status app.case_state, "categoryCode" text, "categoryName" text,
  channel app.case_channel, "riskGrade" app.risk_grade, "groupDispute" boolean, "peopleCount" integer,
  "scopeCode" text, "unitName" text, "ownerCode" text, "registeredAt" timestamptz, version integer,
  "nextDueAt" timestamptz, "deadlineColour" text, "cursorAt" text)
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  counties text[] := p_counties[1:1];
  county text;
  ids uuid[] := p_ids;
BEGIN
  IF cardinality(p_ids) IS NULL THEN
    RETURN;
  END IF;
  -- Most pages are of one county: those are not split (no statement but the lookup's).
  IF NOT p_counties <@ counties THEN
    counties := ARRAY(SELECT DISTINCT x.k FROM unnest(p_counties) AS x (k));
  END IF;
  FOREACH county IN ARRAY counties LOOP
    IF cardinality(counties) > 1 THEN
      ids := ARRAY(SELECT x.i FROM unnest(p_ids, p_counties) AS x (i, k) WHERE x.k = county);
    END IF;
    RETURN QUERY SELECT c.id, c.code, c.title, c.status, c.category_code,
        coalesce(rc.name, ac.name, c.category_code), c.channel, c.risk_grade, c.group_dispute, c.people_count,
        c.scope_code, coalesce(t.name, c.scope_code), c.owner_code, c.registered_at, c.version, dl.due_at,
        c.deadline_colour, to_char(c.registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      FROM unnest(ids) AS p (id)
      CROSS JOIN LATERAL (SELECT * FROM app.cases c WHERE c.county_code = county AND c.id = p.id OFFSET 0) c
      LEFT JOIN LATERAL (SELECT d.due_at FROM app.case_deadlines d
        WHERE d.county_code = county AND d.case_id = c.id AND d.completed_at IS NULL AND d.paused_since IS NULL
        ORDER BY d.due_at LIMIT 1) dl ON true
      LEFT JOIN ref.case_categories rc ON rc.code = c.category_code
      LEFT JOIN app.case_categories ac ON ac.code = c.category_code
      LEFT JOIN app.tenants t ON t.code = c.scope_code;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION app.case_rows(uuid[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.case_rows(uuid[], text[]) TO zz_app;

-- The cases a unit of the caller's scope holds sideways (0038's auth.held_sideways), for the
-- totals and overviews that add them to the rollups' counts: their keys (id and county) picked by
-- the sideways index as the definer, then each case read as the caller by key, county by county
-- (as app.case_rows). auth.held_sideways was a LANGUAGE sql function, which Citus cannot run ("cache
-- lookup failed for type …"), and its ids were joined laterally to the cases by id alone.
CREATE FUNCTION auth.held_sideways_keys() RETURNS TABLE (id uuid, county_code text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp ROWS 100 AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
BEGIN
  IF s IS NULL OR s !~ '^[0-9]{2,12}$' THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT c.id, c.county_code FROM app.cases c
    WHERE app.handler_split(c.scope_code, c.handler_code) = ANY (app.tiers_above(length(s)))
      AND c.handler_code >= s AND c.handler_code < s || ':' AND c.handler_code <> c.scope_code;
END $$;
ALTER FUNCTION auth.held_sideways_keys() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.held_sideways_keys() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.held_sideways_keys() TO zz_app;

CREATE FUNCTION app.held_cases() RETURNS SETOF app.cases
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = pg_catalog, app, pg_temp ROWS 100 AS $$
DECLARE
  all_ids uuid[];
  all_counties text[];
  counties text[];
  county text;
  ids uuid[];
BEGIN
  SELECT array_agg(k.id), array_agg(k.county_code) INTO all_ids, all_counties FROM auth.held_sideways_keys() k;
  IF all_ids IS NULL THEN
    RETURN;
  END IF;
  counties := all_counties[1:1];
  ids := all_ids;
  IF NOT all_counties <@ counties THEN
    counties := ARRAY(SELECT DISTINCT x.k FROM unnest(all_counties) AS x (k));
  END IF;
  FOREACH county IN ARRAY counties LOOP
    IF cardinality(counties) > 1 THEN
      ids := ARRAY(SELECT x.i FROM unnest(all_ids, all_counties) AS x (i, k) WHERE x.k = county);
    END IF;
    RETURN QUERY SELECT c.* FROM unnest(ids) AS p (id)
      CROSS JOIN LATERAL (SELECT * FROM app.cases c WHERE c.county_code = county AND c.id = p.id OFFSET 0) c;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION app.held_cases() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.held_cases() TO zz_app;
