-- The cockpit's category filter (issue 10 §4): every figure, trend, breakdown, child and the
-- current colour and risk counts for one dispute category, read from as few rows as without it.
--
-- 1. The figure buckets gain a `category` key: '' holds every category (the rows as before), a
--    category code holds that category's cases alone. A case's facts go to both rows of its
--    origin unit and of every unit above it. The breakdown by category is not repeated under a
--    category (it would be that category itself).
-- 2. The tallies count open cases by category and colour, and by category and risk grade
--    (dims 'open_colour_by_category' / 'open_risk_by_category', value 'category:colour').
-- Every reader of app.figures_monthly and app.figures_monthly_by names the category it reads
-- ('' for all): the sums of both kinds of row together would count every case twice.

-- 1. The buckets.
ALTER TABLE app.figures_monthly ADD COLUMN category text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE app.figures_monthly DROP CONSTRAINT figures_monthly_pkey, ADD PRIMARY KEY (scope_code, month, category, shard);
ALTER TABLE app.figures_monthly_by ADD COLUMN category text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE app.figures_monthly_by DROP CONSTRAINT figures_monthly_by_pkey,
  ADD PRIMARY KEY (scope_code, month, category, dim, key, shard);

-- Adds `sign` × a case's facts to the buckets (all categories and its own) of its origin unit and
-- every unit above it.
CREATE OR REPLACE FUNCTION app.apply_case_fact(f app.case_figure_facts, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO app.figures_monthly AS m (scope_code, month, category, shard, received, accepted, resolved, closed,
    on_time, followed_up, satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people,
    amount_cents, resolve_days_sum, resolved_village, resolved_township, resolved_county, resolved_above)
  SELECT a.code, f.month, k.category, pg_backend_pid(), sign, sign * f.accepted::int, sign * f.resolved::int,
    sign * f.closed::int, sign * f.on_time::int, sign * f.followed_up::int, sign * f.satisfied::int,
    sign * f.escalated::int, sign * f.returns, sign * f.repeat_claim::int, sign * f.group_dispute::int,
    sign * CASE WHEN f.group_dispute THEN f.people ELSE 0 END, sign * f.people, sign * f.amount_cents,
    sign * coalesce(f.resolve_days, 0),
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'village')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'township')::int,
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'county')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'above')::int
  FROM app.ancestor_codes(f.scope_code) AS a (code) CROSS JOIN (VALUES (''), (f.category_code)) AS k (category)
  ORDER BY 1, 3
  ON CONFLICT (scope_code, month, category, shard) DO UPDATE SET
    received = m.received + excluded.received, accepted = m.accepted + excluded.accepted,
    resolved = m.resolved + excluded.resolved, closed = m.closed + excluded.closed,
    on_time = m.on_time + excluded.on_time, followed_up = m.followed_up + excluded.followed_up,
    satisfied = m.satisfied + excluded.satisfied, escalated = m.escalated + excluded.escalated,
    returns = m.returns + excluded.returns, repeat_claims = m.repeat_claims + excluded.repeat_claims,
    group_disputes = m.group_disputes + excluded.group_disputes, group_people = m.group_people + excluded.group_people,
    people = m.people + excluded.people, amount_cents = m.amount_cents + excluded.amount_cents,
    resolve_days_sum = m.resolve_days_sum + excluded.resolve_days_sum,
    resolved_village = m.resolved_village + excluded.resolved_village,
    resolved_township = m.resolved_township + excluded.resolved_township,
    resolved_county = m.resolved_county + excluded.resolved_county,
    resolved_above = m.resolved_above + excluded.resolved_above;
  INSERT INTO app.figures_monthly_by AS b (scope_code, month, category, dim, key, shard, cases, resolved)
  SELECT a.code, f.month, k.category, x.dim, x.key, pg_backend_pid(), x.cases, x.resolved
  FROM (VALUES
      ('category', f.category_code, sign, sign * f.resolved::int),
      ('channel', f.channel::text, sign, sign * f.resolved::int),
      ('risk', f.risk_grade::text, sign, sign * f.resolved::int),
      ('days', f.resolve_days::text, sign, sign)) AS x (dim, key, cases, resolved)
  CROSS JOIN app.ancestor_codes(f.scope_code) AS a (code)
  CROSS JOIN (VALUES (''), (f.category_code)) AS k (category)
  WHERE x.key IS NOT NULL AND (k.category = '' OR x.dim <> 'category')
  ORDER BY 1, 3, 4, 5
  ON CONFLICT (scope_code, month, category, dim, key, shard) DO UPDATE SET
    cases = b.cases + excluded.cases, resolved = b.resolved + excluded.resolved;
END $$;

CREATE OR REPLACE FUNCTION app.rebuild_case_figures() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE app.case_figure_facts, app.figures_monthly, app.figures_monthly_by;
  INSERT INTO app.case_figure_facts SELECT f.* FROM app.cases c CROSS JOIN LATERAL app.case_fact(c.id) f;
  INSERT INTO app.figures_monthly (scope_code, month, category, shard, received, accepted, resolved, closed, on_time,
    followed_up, satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people, amount_cents,
    resolve_days_sum, resolved_village, resolved_township, resolved_county, resolved_above)
  SELECT a.code, f.month, k.category, 0, count(*), count(*) FILTER (WHERE f.accepted),
    count(*) FILTER (WHERE f.resolved), count(*) FILTER (WHERE f.closed), count(*) FILTER (WHERE f.on_time),
    count(*) FILTER (WHERE f.followed_up), count(*) FILTER (WHERE f.satisfied), count(*) FILTER (WHERE f.escalated),
    sum(f.returns), count(*) FILTER (WHERE f.repeat_claim), count(*) FILTER (WHERE f.group_dispute),
    coalesce(sum(f.people) FILTER (WHERE f.group_dispute), 0), sum(f.people), sum(f.amount_cents),
    coalesce(sum(f.resolve_days), 0),
    count(*) FILTER (WHERE f.resolved_tier = 'village'), count(*) FILTER (WHERE f.resolved_tier = 'township'),
    count(*) FILTER (WHERE f.resolved_tier = 'county'), count(*) FILTER (WHERE f.resolved_tier = 'above')
  FROM app.case_figure_facts f CROSS JOIN LATERAL app.ancestor_codes(f.scope_code) AS a (code)
    CROSS JOIN LATERAL (VALUES (''), (f.category_code)) AS k (category)
  GROUP BY a.code, f.month, k.category
  ORDER BY 1, 2, 3;
  INSERT INTO app.figures_monthly_by (scope_code, month, category, dim, key, shard, cases, resolved)
  SELECT a.code, f.month, k.category, x.dim, x.key, 0, count(*), count(*) FILTER (WHERE x.res)
  FROM app.case_figure_facts f
    CROSS JOIN LATERAL (VALUES ('category', f.category_code, f.resolved), ('channel', f.channel::text, f.resolved),
      ('risk', f.risk_grade::text, f.resolved), ('days', f.resolve_days::text, true)) AS x (dim, key, res)
    CROSS JOIN LATERAL app.ancestor_codes(f.scope_code) AS a (code)
    CROSS JOIN LATERAL (VALUES (''), (f.category_code)) AS k (category)
  WHERE x.key IS NOT NULL AND (k.category = '' OR x.dim <> 'category')
  GROUP BY a.code, f.month, k.category, x.dim, x.key
  -- In key order: a unit's months then lie on a few pages (the reads go by unit and month).
  ORDER BY 1, 2, 3, 4, 5;
  ANALYZE app.case_figure_facts;
  ANALYZE app.figures_monthly;
  ANALYZE app.figures_monthly_by;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_case_figures() FROM PUBLIC;

-- The fold of the shards keys the rows by category too (the function sums every other column;
-- the zero-row indexes of 0042 still match, their sums being unchanged).
CREATE OR REPLACE FUNCTION auth.compact_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  PERFORM auth.compact_case_rollups();
  PERFORM auth.compact_figures('app.figures_monthly', ARRAY['scope_code', 'month', 'category']);
  PERFORM auth.compact_figures('app.figures_monthly_by', ARRAY['scope_code', 'month', 'category', 'dim', 'key']);
END $$;

-- 2. The tallies: open cases by category and colour, by category and risk grade.
CREATE OR REPLACE FUNCTION app.case_tally_keys(c app.cases) RETURNS TABLE (dim text, value text) LANGUAGE sql STABLE AS $$
  SELECT k.dim, k.value FROM (VALUES
    ('state', c.status::text),
    ('colour', coalesce(c.deadline_colour, 'none')),
    ('category', c.category_code),
    ('channel', c.channel::text),
    ('risk', c.risk_grade::text),
    ('tier', app.level_of(c.owner_code)),
    ('level', app.level_of(c.scope_code)),
    ('group', CASE WHEN c.group_dispute THEN 'yes' END),
    ('followed', CASE WHEN c.status IN ('closed', 'archived') THEN CASE WHEN c.followed_up THEN 'yes' ELSE 'no' END END),
    -- Open: not closed, archived, cancelled or duplicate (docs/figures.md, 在办).
    ('open_colour', CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate')
      THEN coalesce(c.deadline_colour, 'none') END),
    ('open_risk', CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate') THEN c.risk_grade::text END),
    ('open_colour_by_category', CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate')
      THEN c.category_code || ':' || coalesce(c.deadline_colour, 'none') END),
    ('open_risk_by_category', CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate')
      THEN c.category_code || ':' || c.risk_grade::text END)
  ) AS k (dim, value)
  WHERE k.value IS NOT NULL
$$;

-- Existing rows: the new tallies and the buckets of every category.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by', 'case_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  INSERT INTO app.case_tallies (scope_code, dim, value, shard, n)
    SELECT scope_code, dim, value, 0, n FROM app.expected_case_tallies()
    WHERE dim IN ('open_colour_by_category', 'open_risk_by_category');
  PERFORM app.rebuild_case_figures();
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by', 'case_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
