-- Rare-text search at every tier (issue 9 §2; bench/results/2026-12-01-1m.analysis.md): a rare text
-- such as a village's name, 张杨村民委员会, took ~45 ms (p95 well above the 10 ms target) at a city
-- or the province of 1 M cases although it has a few hundred matches. The trigram lookup
-- intersects every trigram of the pattern in cases_text_idx, and 村民委 / 民委员 / 委员会 are in half
-- of all titles (every village committee's name), as is the subtree's own code (province_code: every
-- row): GIN skips through those posting trees once per candidate of the rare ones, decompressing a
-- leaf each time (~1,200 buffers per lookup).
--
-- Now the page function looks the text up by its rare trigrams only and tests the whole text and
-- the subtree on the rows they return. Which trigrams are rare comes from auth.title_grams, the
-- three-character substrings (letters and digits only, the trigrams pg_trgm indexes) met in at
-- least 0.05 % of a sample of ~20,000 titles, with their share: a substring of the text not listed,
-- or listed under 0.1 %, is rare. The two rarest are the index condition (LIKE '%张杨村%' AND LIKE
-- '%杨村民%'); without one, or before the sample exists, the lookup is the full one as before. The
-- results are the same rows in the same order either way: only the index condition changes, every
-- row is still tested against the whole text, the subtree and the filters.
--
-- The sample is taken by the migration, by app.rebuild_rollups() after a bulk load, and by the
-- minute scan once it is a day old (auth.refresh_title_grams, SYSTEM sampling: ~20,000 rows from a
-- few hundred pages, a fraction of a second at 1 M cases). Only zz_auth reads it (the page
-- function); it holds no row of any unit, only how common substrings of titles are.

CREATE TABLE auth.title_grams (
  gram         text COLLATE "C" PRIMARY KEY,
  share        double precision NOT NULL,
  refreshed_at timestamptz NOT NULL
);
ALTER TABLE auth.title_grams ENABLE ROW LEVEL SECURITY;
ALTER TABLE auth.title_grams FORCE ROW LEVEL SECURITY;
CREATE POLICY title_grams_auth ON auth.title_grams FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON auth.title_grams TO zz_auth;

-- The sample, taken afresh when it is older than a day (or always with p_force). Two callers at
-- once: the second returns (an advisory lock for the transaction).
CREATE FUNCTION auth.refresh_title_grams(p_force boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  rows_now float8;
  pct float8;
BEGIN
  IF NOT p_force AND EXISTS (SELECT FROM auth.title_grams WHERE refreshed_at > now() - interval '1 day') THEN
    RETURN;
  END IF;
  IF NOT pg_try_advisory_xact_lock(hashtext('auth.refresh_title_grams')) THEN
    RETURN;
  END IF;
  SELECT greatest(c.reltuples, c.relpages * 20, 1) INTO rows_now FROM pg_class c WHERE c.oid = 'app.cases'::regclass;
  pct := least(100, 100 * 20000 / rows_now);
  DELETE FROM auth.title_grams;
  INSERT INTO auth.title_grams (gram, share, refreshed_at)
  WITH sample AS MATERIALIZED (SELECT c.title FROM app.cases c TABLESAMPLE SYSTEM (pct)),
    total AS (SELECT count(*) AS n FROM sample)
  SELECT g.gram, count(*) / total.n::float8, now()
  FROM sample
    CROSS JOIN LATERAL (SELECT DISTINCT substr(sample.title, i, 3) AS gram
      FROM generate_series(1, length(sample.title) - 2) AS i) AS g
    CROSS JOIN total
  WHERE g.gram ~ '^[[:alnum:]]{3}$'
  GROUP BY g.gram, total.n
  HAVING count(*) >= greatest(3, total.n * 0.0005);
  -- A tree without titles yet: one row saying when, so that the next day's scan tries again.
  IF NOT FOUND THEN
    INSERT INTO auth.title_grams (gram, share, refreshed_at) VALUES ('', 0, now());
  END IF;
END $$;
ALTER FUNCTION auth.refresh_title_grams(boolean) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.refresh_title_grams(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.refresh_title_grams(boolean) TO zz_app;

-- The text's rare three-character substrings, rarest first (at most two), or none when the sample
-- lacks titles or the text has no rare one: a substring the sample meets in under 0.1 % of titles.
CREATE FUNCTION auth.rare_title_grams(p_q text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT (array_agg(g.gram ORDER BY coalesce(t.share, 0), g.gram))[1:2]
  FROM (SELECT DISTINCT substr(p_q, i, 3) AS gram FROM generate_series(1, length(p_q) - 2) AS i) AS g
    LEFT JOIN auth.title_grams t ON t.gram = g.gram
  WHERE g.gram ~ '^[[:alnum:]]{3}$' AND coalesce(t.share, 0) < 0.001
    AND EXISTS (SELECT FROM auth.title_grams x WHERE x.gram <> '')
$$;
ALTER FUNCTION auth.rare_title_grams(text) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.rare_title_grams(text) FROM PUBLIC;

-- The statements of the page function (0038) with one more text mode, 'rare'.
CREATE OR REPLACE FUNCTION app.case_page_sql(p_unit_length integer, p_sideways boolean, p_status boolean, p_category boolean,
  p_channel boolean, p_risk boolean, p_colour boolean, p_level boolean, p_text text, p_code_q boolean,
  p_before boolean, p_ordered boolean DEFAULT true) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  -- 'rare': the subtree as a filter that no index takes (the index condition is the rare
  -- trigrams alone; starts_with would become a range of scope codes in cases_text_idx).
  subtree constant text := CASE WHEN p_text = 'rare' THEN 'left(c.scope_code, length($1)) = $1' ELSE CASE p_unit_length
    WHEN 12 THEN 'c.scope_code = $1'
    WHEN 9 THEN 'c.township_code = $1'
    WHEN 6 THEN 'c.county_code = $1'
    WHEN 4 THEN 'c.city_code = $1'
    ELSE 'c.province_code = $1' END END;
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

-- The page function (0080) with the rare lookup; same signature, owner and grants.
CREATE OR REPLACE FUNCTION auth.case_page(p_unit text, p_status app.case_state[], p_category text, p_channel app.case_channel,
  p_risk app.risk_grade, p_colour text, p_level integer, p_q text, p_before_at timestamptz, p_before_id uuid,
  p_limit integer)
RETURNS TABLE (id uuid, registered_at timestamptz)
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
  c_ids uuid[];
  c_times timestamptz[];
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
        coalesce(at, 'infinity'::timestamptz), coalesce(after, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), size, s,
        NULL::integer;
    n := coalesce(cardinality(c_ids), 0);
    FOR i IN 1 .. n LOOP
      IF c_hits[i] THEN
        ids := ids || c_ids[i];
        times := times || c_times[i];
      END IF;
    END LOOP;
    IF cardinality(ids) >= p_limit OR n < size THEN
      RETURN QUERY SELECT x.id, x.at FROM unnest(ids[1:p_limit], times[1:p_limit]) AS x (id, at);
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
    rare := CASE WHEN NOT code_q THEN auth.rare_title_grams(q) END;
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


-- A bulk load (the generator, tests) takes the sample with the rollups (0175's list, then this).
CREATE OR REPLACE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM app.rebuild_case_rollups();
  PERFORM app.rebuild_holding_tallies();
  PERFORM app.rebuild_rework_monthly();
  PERFORM app.rebuild_clock_units();
  PERFORM auth.refresh_title_grams(true);
END $$;

-- The titles there are now (the owner reads past the forced policies only while they are not
-- forced, inside this transaction).
ALTER TABLE app.cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE auth.title_grams NO FORCE ROW LEVEL SECURITY;
SELECT auth.refresh_title_grams(true);
ALTER TABLE app.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE auth.title_grams FORCE ROW LEVEL SECURITY;
