-- The cockpit's figures read a few rows at any tier (issue 10 §7).
--
-- Migration 0040 kept the cohort buckets per origin unit only, so a province's figures summed
-- every bucket of its subtree (tens of thousands of rows at 100 k cases, millions at 10 M).
-- Here the buckets count subtrees, as the rollups of 0032 do: a case's facts are added to the
-- rows of its origin unit and of every unit above it, so a unit reads its own rows for its
-- totals and its children's rows for the drill-down, whatever the size. Writers add to a row of
-- their own backend (shard = pg_backend_pid()), so that every case of a province does not queue
-- on the province's row at commit; auth.compact_rollups folds the shards, readers sum them.
--
-- One source of truth for the current state: the open cases by deadline colour and by risk
-- grade move from app.figures_monthly (0040) to the tallies of 0032 (dims 'open_colour' and
-- 'open_risk' next to 'state'), which already counted cases as they stand now; the facts no
-- longer carry the colour, so a recolouring no longer touches the figures at all.

-- 1. The tallies count open cases by colour and risk.
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
    ('open_risk', CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate') THEN c.risk_grade::text END)
  ) AS k (dim, value)
  WHERE k.value IS NOT NULL
$$;

-- 2. The figures lose their current-state columns and gain shards.
DROP TRIGGER cases_figures ON app.cases;
ALTER TABLE app.case_figure_facts DROP COLUMN open, DROP COLUMN colour;
ALTER TABLE app.figures_monthly DROP COLUMN open, DROP COLUMN open_red, DROP COLUMN open_yellow,
  DROP COLUMN open_blue, DROP COLUMN open_risk_red, DROP COLUMN open_risk_yellow, DROP COLUMN open_risk_blue,
  ADD COLUMN shard integer NOT NULL DEFAULT 0;
ALTER TABLE app.figures_monthly DROP CONSTRAINT figures_monthly_pkey, ADD PRIMARY KEY (scope_code, month, shard);
DROP INDEX app.figures_monthly_month_idx;
ALTER TABLE app.figures_monthly_by ADD COLUMN shard integer NOT NULL DEFAULT 0;
ALTER TABLE app.figures_monthly_by DROP CONSTRAINT figures_monthly_by_pkey,
  ADD PRIMARY KEY (scope_code, month, dim, key, shard);
-- Room on every page for the additive updates to stay there (HOT), next to their neighbours.
ALTER TABLE app.figures_monthly SET (fillfactor = 70);
ALTER TABLE app.figures_monthly_by SET (fillfactor = 70);

CREATE OR REPLACE FUNCTION app.case_fact(p_case uuid) RETURNS SETOF app.case_figure_facts
LANGUAGE sql STABLE AS $$
  SELECT c.id, c.scope_code,
    date_trunc('month', c.registered_at AT TIME ZONE 'Asia/Shanghai')::date,
    c.category_code, c.channel, c.risk_grade,
    c.accepted_at IS NOT NULL,
    c.resolved_at IS NOT NULL,
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')),
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')) AND NOT coalesce(d.late, false),
    coalesce(f.n, 0) > 0,
    coalesce(f.last_satisfaction IN ('satisfied', 'basically_satisfied'), false),
    coalesce(h.escalations, 0) > 0,
    coalesce(h.returns, 0),
    EXISTS (SELECT 1 FROM app.case_links l WHERE l.case_id = c.id AND l.reason = 'repeat_claimant'),
    c.group_dispute,
    c.people_count,
    coalesce(c.amount_cents, 0),
    CASE WHEN c.resolved_at IS NOT NULL THEN
      greatest(0, (c.resolved_at AT TIME ZONE 'Asia/Shanghai')::date - (c.registered_at AT TIME ZONE 'Asia/Shanghai')::date)
    END,
    CASE WHEN c.resolved_at IS NOT NULL THEN app.figure_tier(c.owner_code) END
  FROM app.cases c
  LEFT JOIN LATERAL (SELECT count(*) AS n,
      (array_agg(fu.satisfaction ORDER BY fu.at DESC, fu.id DESC))[1] AS last_satisfaction
    FROM app.follow_ups fu WHERE fu.case_id = c.id) f ON true
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE hp.kind = 'escalate') AS escalations,
      count(*) FILTER (WHERE hp.kind = 'return') AS returns
    FROM app.case_hops hp WHERE hp.case_id = c.id) h ON true
  LEFT JOIN LATERAL (SELECT bool_or(dl.colour = 'red' OR dl.completed_at > dl.due_at) AS late
    FROM app.case_deadlines dl WHERE dl.case_id = c.id) d ON true
  WHERE c.id = p_case
$$;

-- Adds `sign` × a case's facts to the buckets of its origin unit and every unit above it.
CREATE OR REPLACE FUNCTION app.apply_case_fact(f app.case_figure_facts, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO app.figures_monthly AS m (scope_code, month, shard, received, accepted, resolved, closed, on_time,
    followed_up, satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people, amount_cents,
    resolve_days_sum, resolved_village, resolved_township, resolved_county, resolved_above)
  SELECT a.code, f.month, pg_backend_pid(), sign, sign * f.accepted::int, sign * f.resolved::int, sign * f.closed::int,
    sign * f.on_time::int, sign * f.followed_up::int, sign * f.satisfied::int, sign * f.escalated::int,
    sign * f.returns, sign * f.repeat_claim::int, sign * f.group_dispute::int,
    sign * CASE WHEN f.group_dispute THEN f.people ELSE 0 END, sign * f.people, sign * f.amount_cents,
    sign * coalesce(f.resolve_days, 0),
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'village')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'township')::int,
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'county')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'above')::int
  FROM app.ancestor_codes(f.scope_code) AS a (code) ORDER BY 1
  ON CONFLICT (scope_code, month, shard) DO UPDATE SET
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
  INSERT INTO app.figures_monthly_by AS b (scope_code, month, dim, key, shard, cases, resolved)
  SELECT a.code, f.month, x.dim, x.key, pg_backend_pid(), x.cases, x.resolved
  FROM (VALUES
      ('category', f.category_code, sign, sign * f.resolved::int),
      ('channel', f.channel::text, sign, sign * f.resolved::int),
      ('risk', f.risk_grade::text, sign, sign * f.resolved::int),
      ('days', f.resolve_days::text, sign, sign)) AS x (dim, key, cases, resolved)
  CROSS JOIN app.ancestor_codes(f.scope_code) AS a (code)
  WHERE x.key IS NOT NULL
  ORDER BY 1, 3, 4
  ON CONFLICT (scope_code, month, dim, key, shard) DO UPDATE SET
    cases = b.cases + excluded.cases, resolved = b.resolved + excluded.resolved;
END $$;

CREATE OR REPLACE FUNCTION auth.refresh_case_figures(p_case uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  old_f app.case_figure_facts;
  new_f app.case_figure_facts;
BEGIN
  -- The facts row is the case's lock for this purpose; the statements after it see whatever
  -- committed while waiting (read committed takes a fresh snapshot per statement).
  SELECT * INTO old_f FROM app.case_figure_facts WHERE case_id = p_case FOR UPDATE;
  SELECT * INTO new_f FROM app.case_fact(p_case);
  IF old_f.case_id IS NOT NULL AND new_f.case_id IS NOT NULL AND old_f IS NOT DISTINCT FROM new_f THEN
    RETURN;
  END IF;
  IF old_f.case_id IS NOT NULL THEN
    PERFORM app.apply_case_fact(old_f, -1);
  END IF;
  IF new_f.case_id IS NULL THEN
    DELETE FROM app.case_figure_facts WHERE case_id = p_case;
    RETURN;
  END IF;
  PERFORM app.apply_case_fact(new_f, 1);
  INSERT INTO app.case_figure_facts VALUES (new_f.*)
  ON CONFLICT (case_id) DO UPDATE SET (scope_code, month, category_code, channel, risk_grade, accepted, resolved,
    closed, on_time, followed_up, satisfied, escalated, returns, repeat_claim, group_dispute, people, amount_cents,
    resolve_days, resolved_tier) = (excluded.scope_code, excluded.month, excluded.category_code,
    excluded.channel, excluded.risk_grade, excluded.accepted, excluded.resolved, excluded.closed, excluded.on_time,
    excluded.followed_up, excluded.satisfied, excluded.escalated, excluded.returns, excluded.repeat_claim,
    excluded.group_dispute, excluded.people, excluded.amount_cents, excluded.resolve_days, excluded.resolved_tier);
END $$;

-- The deadline colour is no longer a fact (the tallies count open cases by colour).
CREATE CONSTRAINT TRIGGER cases_figures AFTER INSERT OR UPDATE OF status, owner_code, category_code, channel,
  risk_grade, accepted_at, resolved_at, closed_at, group_dispute, people_count, amount_cents
  ON app.cases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('id');

CREATE OR REPLACE FUNCTION app.rebuild_case_figures() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE app.case_figure_facts, app.figures_monthly, app.figures_monthly_by;
  INSERT INTO app.case_figure_facts SELECT f.* FROM app.cases c CROSS JOIN LATERAL app.case_fact(c.id) f;
  INSERT INTO app.figures_monthly (scope_code, month, shard, received, accepted, resolved, closed, on_time, followed_up,
    satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people, amount_cents, resolve_days_sum,
    resolved_village, resolved_township, resolved_county, resolved_above)
  SELECT a.code, f.month, 0, count(*), count(*) FILTER (WHERE f.accepted), count(*) FILTER (WHERE f.resolved),
    count(*) FILTER (WHERE f.closed), count(*) FILTER (WHERE f.on_time), count(*) FILTER (WHERE f.followed_up),
    count(*) FILTER (WHERE f.satisfied), count(*) FILTER (WHERE f.escalated), sum(f.returns),
    count(*) FILTER (WHERE f.repeat_claim), count(*) FILTER (WHERE f.group_dispute),
    coalesce(sum(f.people) FILTER (WHERE f.group_dispute), 0), sum(f.people), sum(f.amount_cents),
    coalesce(sum(f.resolve_days), 0),
    count(*) FILTER (WHERE f.resolved_tier = 'village'), count(*) FILTER (WHERE f.resolved_tier = 'township'),
    count(*) FILTER (WHERE f.resolved_tier = 'county'), count(*) FILTER (WHERE f.resolved_tier = 'above')
  FROM app.case_figure_facts f CROSS JOIN LATERAL app.ancestor_codes(f.scope_code) AS a (code)
  GROUP BY a.code, f.month
  ORDER BY 1, 2;
  INSERT INTO app.figures_monthly_by (scope_code, month, dim, key, shard, cases, resolved)
  SELECT a.code, f.month, x.dim, x.key, 0, count(*), count(*) FILTER (WHERE x.res)
  FROM app.case_figure_facts f
    CROSS JOIN LATERAL (VALUES ('category', f.category_code, f.resolved), ('channel', f.channel::text, f.resolved),
      ('risk', f.risk_grade::text, f.resolved), ('days', f.resolve_days::text, true)) AS x (dim, key, res)
    CROSS JOIN LATERAL app.ancestor_codes(f.scope_code) AS a (code)
  WHERE x.key IS NOT NULL
  GROUP BY a.code, f.month, x.dim, x.key
  -- In key order: a unit's months then lie on a few pages (the reads go by unit and month).
  ORDER BY 1, 2, 3, 4;
  ANALYZE app.case_figure_facts;
  ANALYZE app.figures_monthly;
  ANALYZE app.figures_monthly_by;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_case_figures() FROM PUBLIC;

-- 3. The minute scan's compaction folds the figures' shards too. Generic over the two tables:
-- every column outside the key is a sum.
CREATE FUNCTION auth.compact_figures(p_table regclass, p_key text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  sums text[];
  keys text := array_to_string(p_key, ', ');
BEGIN
  SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO sums FROM pg_attribute a
  WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> ALL (p_key || ARRAY['shard'])
    AND a.attgenerated = '';
  EXECUTE format(
    'WITH moved AS (DELETE FROM %1$s t USING (SELECT ctid FROM %1$s WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
       WHERE t.ctid = x.ctid RETURNING t.*)
     INSERT INTO %1$s AS t (%2$s, shard, %3$s) SELECT %2$s, 0, %4$s FROM moved GROUP BY %2$s ORDER BY %2$s
     ON CONFLICT (%2$s, shard) DO UPDATE SET %5$s',
    p_table, keys, array_to_string(sums, ', '),
    (SELECT string_agg(format('sum(%s)', s), ', ') FROM unnest(sums) s),
    (SELECT string_agg(format('%1$s = t.%1$s + excluded.%1$s', s), ', ') FROM unnest(sums) s));
  EXECUTE format('DELETE FROM %s WHERE shard = 0 AND %s', p_table,
    (SELECT string_agg(format('%s = 0', s), ' AND ') FROM unnest(sums) s));
END $$;
ALTER FUNCTION auth.compact_figures(regclass, text[]) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.compact_figures(regclass, text[]) FROM PUBLIC;

ALTER FUNCTION auth.compact_rollups() RENAME TO compact_case_rollups;
REVOKE ALL ON FUNCTION auth.compact_case_rollups() FROM zz_app;
CREATE FUNCTION auth.compact_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  PERFORM auth.compact_case_rollups();
  PERFORM auth.compact_figures('app.figures_monthly', ARRAY['scope_code', 'month']);
  PERFORM auth.compact_figures('app.figures_monthly_by', ARRAY['scope_code', 'month', 'dim', 'key']);
END $$;
ALTER FUNCTION auth.compact_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.compact_rollups() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.compact_rollups() TO zz_app;

-- 4. Existing rows: the new tallies and the figures of every subtree.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by', 'case_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  DELETE FROM app.case_tallies;
  INSERT INTO app.case_tallies (scope_code, dim, value, shard, n)
    SELECT scope_code, dim, value, 0, n FROM app.expected_case_tallies();
  PERFORM app.rebuild_case_figures();
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by', 'case_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
