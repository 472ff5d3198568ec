-- Rare-text search, second step (issue 9 §2): a text with a rare trigram (0176) at a county, a
-- city or the province goes to the rare-trigram lookup at once, without the walk of the subtree's
-- newest 500 rows that came first (each read and tested: ~2 ms idle, 10-20 ms at the bench's load,
-- most of what was left of the rare text's page at the province after 0176). The lookup returns
-- at most the cases whose titles hold the rare trigram (under ~0.1 % of all), sorted. A township
-- or a village keeps the walk first (its newest 500 rows are most of it, or all). Same results and
-- order: the same statement as 0176's, only taken sooner. Same signature, owner and grants.

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
