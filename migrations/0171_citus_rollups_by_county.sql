-- Citus, the write path (issue 14 §6, infra/SCALE.md): the rollup triggers write only rows of the
-- case's own county, so that every write a trigger makes stays on the case's shard.
--
-- The rollups (case_tallies, clock_tallies, holding_tallies, figures_monthly, figures_monthly_by,
-- rework_monthly) hold a row for the case's unit and for each unit above it (township, county,
-- city, province). Their rows were keyed by the unit they count for (county_code =
-- left(scope_code, 6)), so a city's or province's row lived on another shard than the case: on
-- Citus the trigger, which runs on the case's shard, could not write it ("cannot execute a
-- distributed query from a query on a shard"), and the three figures tables, having no
-- county_code, were reference tables (a write to every node). Now:
-- - a row written by a trigger carries the county of the case it counts (the case's shard), for
--   the units above the county too: a city's or province's figure is the sum of its rows over
--   the counties below it. Every reader already sums over a unit's rows (they were already split
--   by writer: the `shard` column), so no reader changes and every figure stays exactly what it
--   was;
-- - the fold of the writers' rows (auth.compact_figures, auth.compact_case_rollups, each deadline
--   scan) gathers them, as before, into one row per unit and key, keyed by the unit's own code
--   (left(scope_code, 6)), the key the rebuilds write too: on one PostgreSQL a province's figures
--   read as many rows as before once folded. On Citus the fold runs on the coordinator (a
--   distributed statement), which may move rows between shards;
-- - the CHECK of those tables admits both: county_code = left(scope_code, 6), or, for a unit
--   above the county, the code of a unit below it (at most six digits);
-- - figures_monthly, figures_monthly_by and rework_monthly get county_code (the same CHECK, the
--   zzz_county_code trigger, the key) and so are distributed with the cases;
-- - the figures' facts of a case (app.case_fact, auth.refresh_case_figures) are looked up by the
--   case's county too (a shard may only read its own rows), and the rework move's event count.
-- rework_monthly has no writer split: its rows for the units above a county stay one per county
-- (a province reads one row per county and month instead of one per month).

-- The CHECK of a rollup table.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_tallies', 'clock_tallies', 'holding_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%1$I DROP CONSTRAINT %2$I, ADD CONSTRAINT %2$I CHECK (county_code = left(scope_code, 6)'
      || ' OR (length(scope_code) < 6 AND length(county_code) <= 6 AND starts_with(county_code, scope_code)))',
      t, t || '_county_code_check');
  END LOOP;
END $$;

-- The figures tables get county_code, filled with their unit's code (what the fold writes).
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('figures_monthly', 'scope_code, month, category, shard'),
      ('figures_monthly_by', 'scope_code, month, category, dim, key, shard'),
      ('rework_monthly', 'scope_code, month, category')) AS x (name, key)
  LOOP
    EXECUTE format('ALTER TABLE app.%I NO FORCE ROW LEVEL SECURITY', t.name);
    EXECUTE format('ALTER TABLE app.%I ADD COLUMN county_code text COLLATE "C"', t.name);
    EXECUTE format('UPDATE app.%I SET county_code = left(scope_code, 6)', t.name);
    EXECUTE format('ALTER TABLE app.%1$I ALTER COLUMN county_code SET NOT NULL, ADD CONSTRAINT %2$I CHECK (county_code = left(scope_code, 6)'
      || ' OR (length(scope_code) < 6 AND length(county_code) <= 6 AND starts_with(county_code, scope_code)))',
      t.name, t.name || '_county_code_check');
    EXECUTE format('ALTER TABLE app.%1$I DROP CONSTRAINT %2$I, ADD CONSTRAINT %2$I PRIMARY KEY (%3$s, county_code)',
      t.name, t.name || '_pkey', t.key);
    EXECUTE format('CREATE TRIGGER zzz_county_code BEFORE INSERT OR UPDATE OF scope_code, county_code ON app.%I'
      || ' FOR EACH ROW EXECUTE FUNCTION app.fill_county_code()', t.name);
    EXECUTE format('ALTER TABLE app.%I ENABLE ALWAYS TRIGGER zzz_county_code', t.name);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t.name);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION auth.cases_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  code constant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END;
  county constant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.county_code ELSE NEW.county_code END;
  -- The rows as app.cases: on Citus the trigger fires on a shard, whose row type is the shard's
  -- (same columns in the same order), which app.case_tally_keys(app.cases) does not take.
  new_row app.cases;
  old_row app.cases;
BEGIN
  IF TG_OP <> 'DELETE' THEN new_row := NEW; END IF;
  IF TG_OP <> 'INSERT' THEN old_row := OLD; END IF;
  INSERT INTO app.case_tallies AS t (county_code, scope_code, dim, value, shard, n)
  SELECT county, a.code, k.dim, k.value, pg_backend_pid(), sum(k.d)
  FROM (SELECT x.dim, x.value, 1 AS d FROM app.case_tally_keys(new_row) x WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT x.dim, x.value, -1 FROM app.case_tally_keys(old_row) x WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(code) AS a (code)
  GROUP BY a.code, k.dim, k.value HAVING sum(k.d) <> 0
  ORDER BY 2, 3, 4
  ON CONFLICT (county_code, scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.clock_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.clock_tallies AS t (county_code, scope_code, owner_code, colour, shard, n)
  SELECT k.county, a.code, k.owner_code, k.colour, pg_backend_pid(), sum(k.d)
  FROM (SELECT NEW.county_code AS county, NEW.scope_code AS scope_code, NEW.owner_code AS owner_code,
          NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.county_code, OLD.scope_code, OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY k.county, a.code, k.owner_code, k.colour HAVING sum(k.d) <> 0
  ORDER BY 2, 3, 4, 1
  ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.holding_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.holding_tallies AS t (county_code, scope_code, holder_len, shard, cases, periods, current,
    closed_seconds, open_from)
  SELECT k.county, a.code, k.len, pg_backend_pid(), sum(k.cases), sum(k.periods), sum(k.current),
    sum(k.closed_seconds), sum(k.open_from)
  FROM (
    SELECT NEW.county_code AS county, NEW.scope_code AS scope_code, length(NEW.holder_code) AS len, d.*
    FROM app.holding_delta(NEW.held_from, NEW.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.county_code = NEW.county_code AND h.case_id = NEW.case_id
          AND length(h.holder_code) = length(NEW.holder_code) AND h.id <> NEW.id), 1) d
    WHERE TG_OP <> 'DELETE'
    UNION ALL
    SELECT OLD.county_code, OLD.scope_code, length(OLD.holder_code), d.*
    FROM app.holding_delta(OLD.held_from, OLD.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.county_code = OLD.county_code AND h.case_id = OLD.case_id
          AND length(h.holder_code) = length(OLD.holder_code) AND h.id <> OLD.id), -1) d
    WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY k.county, a.code, k.len
  HAVING sum(k.cases) <> 0 OR sum(k.periods) <> 0 OR sum(k.current) <> 0 OR sum(k.closed_seconds) <> 0
    OR sum(k.open_from) <> 0
  ORDER BY 2, 3, 1
  ON CONFLICT (county_code, scope_code, holder_len, shard) DO UPDATE SET cases = t.cases + excluded.cases,
    periods = t.periods + excluded.periods, current = t.current + excluded.current,
    closed_seconds = t.closed_seconds + excluded.closed_seconds, open_from = t.open_from + excluded.open_from;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.cases_count_rework() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.rework_monthly AS r (county_code, scope_code, month, category, reworks)
  SELECT NEW.county_code, a.code, app.china_month(NEW.registered_at), k.category, 1
  FROM app.ancestor_codes(NEW.scope_code) AS a (code) CROSS JOIN (VALUES (''), (NEW.category_code)) AS k (category)
  ORDER BY 2, 4
  ON CONFLICT (scope_code, month, category, county_code) DO UPDATE SET reworks = r.reworks + 1;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.cases_move_reworks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  n integer;
BEGIN
  SELECT count(*) INTO n FROM app.case_events e
  WHERE e.county_code = NEW.county_code AND e.case_id = NEW.id AND e.kind = 'case.reopen';
  IF n = 0 THEN
    RETURN NULL;
  END IF;
  INSERT INTO app.rework_monthly AS r (county_code, scope_code, month, category, reworks)
  SELECT x.county, x.code, x.month, x.category, sum(x.delta)
  FROM (
    SELECT OLD.county_code AS county, a.code, app.china_month(OLD.registered_at) AS month, k.category, -n AS delta
    FROM app.ancestor_codes(OLD.scope_code) AS a (code) CROSS JOIN (VALUES (''), (OLD.category_code)) AS k (category)
    UNION ALL
    SELECT NEW.county_code, a.code, app.china_month(NEW.registered_at), k.category, n
    FROM app.ancestor_codes(NEW.scope_code) AS a (code) CROSS JOIN (VALUES (''), (NEW.category_code)) AS k (category)
  ) AS x
  GROUP BY 1, 2, 3, 4
  HAVING sum(x.delta) <> 0
  ORDER BY 2, 3, 4, 1
  ON CONFLICT (scope_code, month, category, county_code) DO UPDATE SET reworks = r.reworks + excluded.reworks;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION app.apply_case_fact(f app.case_figure_facts, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO app.figures_monthly AS m (county_code, scope_code, month, category, shard, received, accepted, resolved,
    closed, on_time, followed_up, satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people,
    amount_cents, resolve_days_sum, resolved_village, resolved_township, resolved_county, resolved_above)
  SELECT f.county_code, a.code, f.month, k.category, pg_backend_pid(), sign, sign * f.accepted::int,
    sign * f.resolved::int,
    sign * f.closed::int, sign * f.on_time::int, sign * f.followed_up::int, sign * f.satisfied::int,
    sign * f.escalated::int, sign * f.returns, sign * f.repeat_claim::int, sign * f.group_dispute::int,
    sign * CASE WHEN f.group_dispute THEN f.people ELSE 0 END, sign * f.people, sign * f.amount_cents,
    sign * coalesce(f.resolve_days, 0),
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'village')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'township')::int,
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'county')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'above')::int
  FROM app.ancestor_codes(f.scope_code) AS a (code) CROSS JOIN (VALUES (''), (f.category_code)) AS k (category)
  ORDER BY 2, 4
  ON CONFLICT (scope_code, month, category, shard, county_code) DO UPDATE SET
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
  INSERT INTO app.figures_monthly_by AS b (county_code, scope_code, month, category, dim, key, shard, cases, resolved)
  SELECT f.county_code, a.code, f.month, k.category, x.dim, x.key, pg_backend_pid(), x.cases, x.resolved
  FROM (VALUES
      ('category', f.category_code, sign, sign * f.resolved::int),
      ('channel', f.channel::text, sign, sign * f.resolved::int),
      ('risk', f.risk_grade::text, sign, sign * f.resolved::int),
      ('days', f.resolve_days::text, sign, sign)) AS x (dim, key, cases, resolved)
  CROSS JOIN app.ancestor_codes(f.scope_code) AS a (code)
  CROSS JOIN (VALUES (''), (f.category_code)) AS k (category)
  WHERE x.key IS NOT NULL AND (k.category = '' OR x.dim <> 'category')
  ORDER BY 2, 4, 5, 6
  ON CONFLICT (scope_code, month, category, dim, key, shard, county_code) DO UPDATE SET
    cases = b.cases + excluded.cases, resolved = b.resolved + excluded.resolved;
END $$;

-- A case's facts, looked up in its county (on Citus: on its shard). PL/pgSQL, one statement per
-- table, each filtered on the county: Citus plans no parameterised statement of a LANGUAGE sql
-- function that reads a distributed table, and sends the joined form to other nodes.
CREATE FUNCTION app.case_fact(p_case uuid, p_county text) RETURNS SETOF app.case_figure_facts
LANGUAGE plpgsql STABLE AS $$
DECLARE
  c app.cases;
  f_n bigint;
  f_last text;
  h_esc bigint;
  h_ret bigint;
  late boolean;
  repeat boolean;
BEGIN
  SELECT * INTO c FROM app.cases x WHERE x.county_code = p_county AND x.id = p_case;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT count(*), (array_agg(fu.satisfaction ORDER BY fu.at DESC, fu.id DESC))[1] INTO f_n, f_last
    FROM app.follow_ups fu WHERE fu.county_code = p_county AND fu.case_id = p_case;
  SELECT count(*) FILTER (WHERE hp.kind = 'escalate'), count(*) FILTER (WHERE hp.kind = 'return') INTO h_esc, h_ret
    FROM app.case_hops hp WHERE hp.county_code = p_county AND hp.case_id = p_case;
  SELECT bool_or(dl.colour = 'red' OR dl.completed_at > dl.due_at) INTO late
    FROM app.case_deadlines dl WHERE dl.county_code = p_county AND dl.case_id = p_case;
  SELECT EXISTS (SELECT 1 FROM app.case_links l WHERE l.county_code = p_county AND l.case_id = p_case
    AND l.reason = 'repeat_claimant') INTO repeat;
  RETURN NEXT ROW(c.id, c.scope_code,
    date_trunc('month', c.registered_at AT TIME ZONE 'Asia/Shanghai')::date,
    c.category_code, c.channel, c.risk_grade,
    c.accepted_at IS NOT NULL,
    c.resolved_at IS NOT NULL,
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')),
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')) AND NOT coalesce(late, false),
    coalesce(f_n, 0) > 0,
    coalesce(f_last IN ('satisfied', 'basically_satisfied'), false),
    coalesce(h_esc, 0) > 0,
    coalesce(h_ret, 0)::integer,
    repeat,
    c.group_dispute,
    c.people_count,
    coalesce(c.amount_cents, 0),
    CASE WHEN c.resolved_at IS NOT NULL THEN
      greatest(0, (c.resolved_at AT TIME ZONE 'Asia/Shanghai')::date - (c.registered_at AT TIME ZONE 'Asia/Shanghai')::date)
    END,
    CASE WHEN c.resolved_at IS NOT NULL THEN app.figure_tier(c.owner_code) END,
    c.county_code)::app.case_figure_facts;
END $$;

CREATE FUNCTION auth.refresh_case_figures(p_case uuid, p_county text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  old_f app.case_figure_facts;
  new_f app.case_figure_facts;
BEGIN
  -- The facts row is the case's lock for this purpose; the statements after it see whatever
  -- committed while waiting (read committed takes a fresh snapshot per statement).
  SELECT * INTO old_f FROM app.case_figure_facts WHERE county_code = p_county AND case_id = p_case FOR UPDATE;
  SELECT * INTO new_f FROM app.case_fact(p_case, p_county);
  IF old_f.case_id IS NOT NULL AND new_f.case_id IS NOT NULL AND old_f IS NOT DISTINCT FROM new_f THEN
    RETURN;
  END IF;
  IF old_f.case_id IS NOT NULL THEN
    PERFORM app.apply_case_fact(old_f, -1);
  END IF;
  IF new_f.case_id IS NULL THEN
    DELETE FROM app.case_figure_facts WHERE county_code = p_county AND case_id = p_case;
    RETURN;
  END IF;
  PERFORM app.apply_case_fact(new_f, 1);
  INSERT INTO app.case_figure_facts VALUES (new_f.*)
  ON CONFLICT (county_code, case_id) DO UPDATE SET (scope_code, month, category_code, channel, risk_grade, accepted, resolved,
    closed, on_time, followed_up, satisfied, escalated, returns, repeat_claim, group_dispute, people, amount_cents,
    resolve_days, resolved_tier) = (excluded.scope_code, excluded.month, excluded.category_code,
    excluded.channel, excluded.risk_grade, excluded.accepted, excluded.resolved, excluded.closed, excluded.on_time,
    excluded.followed_up, excluded.satisfied, excluded.escalated, excluded.returns, excluded.repeat_claim,
    excluded.group_dispute, excluded.people, excluded.amount_cents, excluded.resolve_days, excluded.resolved_tier);
END $$;
ALTER FUNCTION auth.refresh_case_figures(uuid, text) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.refresh_case_figures(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.refresh_case_figures(uuid, text) TO zz_app, zz_worker;

-- The former entry point, by id alone (one PostgreSQL only: it looks the county up first).
CREATE OR REPLACE FUNCTION auth.refresh_case_figures(p_case uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  PERFORM auth.refresh_case_figures(p_case, (SELECT c.county_code FROM app.cases c WHERE c.id = p_case));
END $$;

-- The touch triggers pass the row's county with the case (every table they are on carries it).
CREATE OR REPLACE FUNCTION app.case_figures_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE id uuid;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING NEW INTO id;
  PERFORM auth.refresh_case_figures(id, NEW.county_code);
  RETURN NULL;
END $$;

-- The folds gather the writers' rows into one row per unit and key, keyed by the unit's own code.
CREATE OR REPLACE FUNCTION auth.compact_figures(p_table regclass, p_key text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  sums text[];
  keys text;
  picked text;
  positions text;
BEGIN
  IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = p_table AND a.attname = 'county_code' AND NOT a.attisdropped) THEN
    p_key := p_key || ARRAY['county_code'];
  END IF;
  keys := array_to_string(p_key, ', ');
  picked := (SELECT string_agg(CASE WHEN k = 'county_code' THEN 'left(scope_code, 6)' ELSE k END, ', ' ORDER BY i)
             FROM unnest(p_key) WITH ORDINALITY AS x (k, i));
  positions := (SELECT string_agg(i::text, ', ' ORDER BY i) FROM generate_series(1, cardinality(p_key)) i);
  SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO sums FROM pg_attribute a
  WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname <> ALL (p_key || ARRAY['shard']) AND a.attgenerated = '';
  EXECUTE format(
    'WITH moved AS (DELETE FROM %1$s t USING (SELECT ctid FROM %1$s WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
       WHERE t.ctid = x.ctid RETURNING t.*)
     INSERT INTO %1$s AS t (%2$s, shard, %3$s) SELECT %6$s, 0, %4$s FROM moved GROUP BY %7$s ORDER BY %7$s
     ON CONFLICT (%2$s, shard) DO UPDATE SET %5$s',
    p_table, keys, array_to_string(sums, ', '),
    (SELECT string_agg(format('sum(%s)', s), ', ') FROM unnest(sums) s),
    (SELECT string_agg(format('%1$s = t.%1$s + excluded.%1$s', s), ', ') FROM unnest(sums) s),
    picked, positions);
  EXECUTE format('DELETE FROM %s WHERE shard = 0 AND %s', p_table,
    (SELECT string_agg(format('%s = 0', s), ' AND ') FROM unnest(sums) s));
END $$;

CREATE OR REPLACE FUNCTION auth.compact_case_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  z0 text[];
  z1 text[];
  z2 text[];
  z3 text[];
BEGIN
  WITH moved AS (
    DELETE FROM app.case_tallies t USING (SELECT ctid FROM app.case_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.county_code, t.scope_code, t.dim, t.value, t.n),
  folded AS (
    INSERT INTO app.case_tallies AS t (county_code, scope_code, dim, value, shard, n)
    SELECT left(scope_code, 6), scope_code, dim, value, 0, sum(n) FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4
    ON CONFLICT (county_code, scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.county_code, t.scope_code, t.dim, t.value, t.n)
  SELECT array_agg(county_code), array_agg(scope_code), array_agg(dim), array_agg(value) INTO z0, z1, z2, z3
  FROM folded WHERE n = 0;
  DELETE FROM app.case_tallies t USING unnest(z0, z1, z2, z3) AS z (county_code, scope_code, dim, value)
  WHERE t.shard = 0 AND t.n = 0 AND t.county_code = z.county_code AND t.scope_code = z.scope_code
    AND t.dim = z.dim AND t.value = z.value;

  WITH moved AS (
    DELETE FROM app.clock_tallies t USING (SELECT ctid FROM app.clock_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.county_code, t.scope_code, t.owner_code, t.colour, t.n),
  folded AS (
    INSERT INTO app.clock_tallies AS t (county_code, scope_code, owner_code, colour, shard, n)
    SELECT left(scope_code, 6), scope_code, owner_code, colour, 0, sum(n) FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4
    ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.county_code, t.scope_code, t.owner_code, t.colour, t.n)
  SELECT array_agg(county_code), array_agg(scope_code), array_agg(owner_code), array_agg(colour) INTO z0, z1, z2, z3
  FROM folded WHERE n = 0;
  DELETE FROM app.clock_tallies t USING unnest(z0, z1, z2, z3) AS z (county_code, scope_code, owner_code, colour)
  WHERE t.shard = 0 AND t.n = 0 AND t.county_code = z.county_code AND t.scope_code = z.scope_code
    AND t.owner_code = z.owner_code AND t.colour = z.colour;
END $$;
