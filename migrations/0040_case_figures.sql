-- The leaders' cockpit figures (issue 10), kept exact in the same transaction as the change.
--
-- Figures are counted by cohort: every case belongs to exactly one bucket, its origin unit
-- (`scope_code`) and the Beijing month it was registered in; "resolved in the period" means
-- "of the cases received in the period, resolved by now" (the way the centres report 受理 N 件，
-- 化解 M 件). The definitions live in packages/domain/src/figures.ts and docs/figures.md.
--
-- How they stay exact: `app.case_figure_facts` holds one row of facts per case, computed by one
-- function (`app.case_fact`) from the case and its child rows. Deferred constraint triggers on
-- the tables the facts read recompute a touched case's facts at commit, after every row lock
-- the transaction takes is already held, and add the difference (new − old) to the monthly
-- buckets with INSERT … ON CONFLICT DO UPDATE (additive, so concurrent writers never lose an
-- update). A bulk load (triggers off) calls `app.rebuild_case_figures()`.

CREATE TABLE app.case_figure_facts (
  case_id        uuid PRIMARY KEY REFERENCES app.cases (id),
  scope_code     text COLLATE "C" NOT NULL,
  month          date NOT NULL,
  category_code  text NOT NULL,
  channel        app.case_channel NOT NULL,
  risk_grade     app.risk_grade NOT NULL,
  accepted       boolean NOT NULL,
  resolved       boolean NOT NULL,
  closed         boolean NOT NULL,
  on_time        boolean NOT NULL,
  followed_up    boolean NOT NULL,
  satisfied      boolean NOT NULL,
  escalated      boolean NOT NULL,
  returns        integer NOT NULL,
  repeat_claim   boolean NOT NULL,
  group_dispute  boolean NOT NULL,
  people         integer NOT NULL,
  amount_cents   bigint NOT NULL,
  resolve_days   integer,
  resolved_tier  text CHECK (resolved_tier IN ('village', 'township', 'county', 'above')),
  open           boolean NOT NULL,
  colour         text CHECK (colour IN ('blue', 'yellow', 'red'))
);

-- Sums per origin unit and registration month.
CREATE TABLE app.figures_monthly (
  scope_code        text COLLATE "C" NOT NULL,
  month             date NOT NULL,
  received          integer NOT NULL DEFAULT 0,
  accepted          integer NOT NULL DEFAULT 0,
  resolved          integer NOT NULL DEFAULT 0,
  closed            integer NOT NULL DEFAULT 0,
  on_time           integer NOT NULL DEFAULT 0,
  followed_up       integer NOT NULL DEFAULT 0,
  satisfied         integer NOT NULL DEFAULT 0,
  escalated         integer NOT NULL DEFAULT 0,
  returns           integer NOT NULL DEFAULT 0,
  repeat_claims     integer NOT NULL DEFAULT 0,
  group_disputes    integer NOT NULL DEFAULT 0,
  group_people      bigint NOT NULL DEFAULT 0,
  people            bigint NOT NULL DEFAULT 0,
  amount_cents      bigint NOT NULL DEFAULT 0,
  resolve_days_sum  bigint NOT NULL DEFAULT 0,
  resolved_village  integer NOT NULL DEFAULT 0,
  resolved_township integer NOT NULL DEFAULT 0,
  resolved_county   integer NOT NULL DEFAULT 0,
  resolved_above    integer NOT NULL DEFAULT 0,
  -- Current state of the bucket's cases (not bound to a period): open cases, their deadline
  -- colour and risk grade.
  open              integer NOT NULL DEFAULT 0,
  open_red          integer NOT NULL DEFAULT 0,
  open_yellow       integer NOT NULL DEFAULT 0,
  open_blue         integer NOT NULL DEFAULT 0,
  open_risk_red     integer NOT NULL DEFAULT 0,
  open_risk_yellow  integer NOT NULL DEFAULT 0,
  open_risk_blue    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_code, month)
);
CREATE INDEX figures_monthly_month_idx ON app.figures_monthly (month, scope_code);

-- Breakdowns per bucket: dimension 'category' | 'channel' | 'risk' (cases received, resolved)
-- and 'days' (resolved cases by whole days to resolve, for the exact median).
CREATE TABLE app.figures_monthly_by (
  scope_code text COLLATE "C" NOT NULL,
  month      date NOT NULL,
  dim        text NOT NULL CHECK (dim IN ('category', 'channel', 'risk', 'days')),
  key        text NOT NULL,
  cases      integer NOT NULL DEFAULT 0,
  resolved   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_code, month, dim, key)
);

-- Per-unit cockpit settings: ranking weights and the safety index definition (null: defaults).
CREATE TABLE app.cockpit_settings (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL UNIQUE DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  ranking     jsonb,
  safety      jsonb,
  version     integer NOT NULL DEFAULT 1
);
SELECT app.apply_config_policies('app.cockpit_settings', true);
GRANT SELECT, INSERT (scope_code, ranking, safety), UPDATE (ranking, safety, version) ON app.cockpit_settings TO zz_app;

DO $$
DECLARE t text;
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_figure_facts', 'figures_monthly', 'figures_monthly_by'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON app.%I FOR ALL TO zz_auth USING (true) WITH CHECK (true)', t || '_maintain', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON app.%I TO zz_auth', t);
  END LOOP;
  -- The runtime role reads the buckets of its subtree; it never writes them.
  FOREACH t IN ARRAY ARRAY['figures_monthly', 'figures_monthly_by'] LOOP
    EXECUTE format('CREATE POLICY %I ON app.%I FOR SELECT TO zz_app USING (scope_code >= %s AND scope_code < %s || '':'')',
      t || '_read', t, s, s);
    EXECUTE format('GRANT SELECT ON app.%I TO zz_app', t);
  END LOOP;
END $$;

-- What the facts read, for the maintaining role.
CREATE POLICY follow_ups_figures ON app.follow_ups FOR SELECT TO zz_auth USING (true);
CREATE POLICY case_hops_figures ON app.case_hops FOR SELECT TO zz_auth USING (true);
CREATE POLICY case_deadlines_figures ON app.case_deadlines FOR SELECT TO zz_auth USING (true);
CREATE POLICY case_links_figures ON app.case_links FOR SELECT TO zz_auth USING (true);
GRANT SELECT ON app.follow_ups, app.case_hops, app.case_deadlines, app.case_links, app.cases TO zz_auth;

-- The tier of a unit code, as the figures name it.
CREATE FUNCTION app.figure_tier(p_code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE length(p_code) WHEN 12 THEN 'village' WHEN 9 THEN 'township' WHEN 6 THEN 'county' ELSE 'above' END
$$;

-- The one definition of a case's facts (see docs/figures.md). Inlined by the planner, so the
-- bulk rebuild runs it as a join.
CREATE FUNCTION app.case_fact(p_case uuid) RETURNS SETOF app.case_figure_facts
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
    CASE WHEN c.resolved_at IS NOT NULL THEN app.figure_tier(c.owner_code) END,
    c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate'),
    CASE WHEN c.status NOT IN ('closed', 'archived', 'cancelled', 'duplicate') THEN c.deadline_colour END
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

-- Adds `sign` × a case's facts to its buckets.
CREATE FUNCTION app.apply_case_fact(f app.case_figure_facts, sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o boolean := f.open;
BEGIN
  INSERT INTO app.figures_monthly AS m (scope_code, month, received, accepted, resolved, closed, on_time, followed_up,
    satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people, amount_cents, resolve_days_sum,
    resolved_village, resolved_township, resolved_county, resolved_above, open, open_red, open_yellow, open_blue,
    open_risk_red, open_risk_yellow, open_risk_blue)
  VALUES (f.scope_code, f.month, sign, sign * f.accepted::int, sign * f.resolved::int, sign * f.closed::int,
    sign * f.on_time::int, sign * f.followed_up::int, sign * f.satisfied::int, sign * f.escalated::int,
    sign * f.returns, sign * f.repeat_claim::int, sign * f.group_dispute::int,
    sign * CASE WHEN f.group_dispute THEN f.people ELSE 0 END, sign * f.people, sign * f.amount_cents,
    sign * coalesce(f.resolve_days, 0),
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'village')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'township')::int,
    sign * (f.resolved_tier IS NOT DISTINCT FROM 'county')::int, sign * (f.resolved_tier IS NOT DISTINCT FROM 'above')::int,
    sign * o::int, sign * (o AND f.colour IS NOT DISTINCT FROM 'red')::int, sign * (o AND f.colour IS NOT DISTINCT FROM 'yellow')::int,
    sign * (o AND f.colour IS NOT DISTINCT FROM 'blue')::int, sign * (o AND f.risk_grade = 'red')::int,
    sign * (o AND f.risk_grade = 'yellow')::int, sign * (o AND f.risk_grade = 'blue')::int)
  ON CONFLICT (scope_code, month) DO UPDATE SET
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
    resolved_above = m.resolved_above + excluded.resolved_above,
    open = m.open + excluded.open, open_red = m.open_red + excluded.open_red,
    open_yellow = m.open_yellow + excluded.open_yellow, open_blue = m.open_blue + excluded.open_blue,
    open_risk_red = m.open_risk_red + excluded.open_risk_red,
    open_risk_yellow = m.open_risk_yellow + excluded.open_risk_yellow,
    open_risk_blue = m.open_risk_blue + excluded.open_risk_blue;
  INSERT INTO app.figures_monthly_by AS b (scope_code, month, dim, key, cases, resolved)
  SELECT f.scope_code, f.month, x.dim, x.key, x.cases, x.resolved FROM (VALUES
      ('category', f.category_code, sign, sign * f.resolved::int),
      ('channel', f.channel::text, sign, sign * f.resolved::int),
      ('risk', f.risk_grade::text, sign, sign * f.resolved::int),
      ('days', f.resolve_days::text, sign, sign)) AS x (dim, key, cases, resolved)
  WHERE x.key IS NOT NULL
  ON CONFLICT (scope_code, month, dim, key) DO UPDATE SET
    cases = b.cases + excluded.cases, resolved = b.resolved + excluded.resolved;
END $$;

-- Recomputes one case's facts and moves its buckets by the difference. Runs as the maintaining
-- role (the writer may be a sideways handler who cannot see the origin unit's buckets).
CREATE FUNCTION auth.refresh_case_figures(p_case uuid) RETURNS void
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
    resolve_days, resolved_tier, open, colour) = (excluded.scope_code, excluded.month, excluded.category_code,
    excluded.channel, excluded.risk_grade, excluded.accepted, excluded.resolved, excluded.closed, excluded.on_time,
    excluded.followed_up, excluded.satisfied, excluded.escalated, excluded.returns, excluded.repeat_claim,
    excluded.group_dispute, excluded.people, excluded.amount_cents, excluded.resolve_days, excluded.resolved_tier,
    excluded.open, excluded.colour);
END $$;
ALTER FUNCTION auth.refresh_case_figures(uuid) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.refresh_case_figures(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.refresh_case_figures(uuid) TO zz_app, zz_worker;

-- Trigger: refresh the case named by the column TG_ARGV[0] of the row.
CREATE FUNCTION app.case_figures_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE id uuid;
BEGIN
  EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) USING NEW INTO id;
  PERFORM auth.refresh_case_figures(id);
  RETURN NULL;
END $$;

-- Deferred to commit: by then the transaction holds every lock it takes on the case, and the
-- facts see all its rows (several touches of one case in a transaction cost one real change).
CREATE CONSTRAINT TRIGGER cases_figures AFTER INSERT OR UPDATE OF status, owner_code, category_code, channel,
  risk_grade, accepted_at, resolved_at, closed_at, deadline_colour, group_dispute, people_count, amount_cents
  ON app.cases DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('id');
CREATE CONSTRAINT TRIGGER follow_ups_figures AFTER INSERT ON app.follow_ups
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('case_id');
CREATE CONSTRAINT TRIGGER case_hops_figures AFTER INSERT ON app.case_hops
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('case_id');
CREATE CONSTRAINT TRIGGER case_links_figures AFTER INSERT ON app.case_links
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('case_id');
CREATE CONSTRAINT TRIGGER case_deadlines_figures AFTER INSERT OR UPDATE OF colour, completed_at, due_at
  ON app.case_deadlines DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.case_figures_touch('case_id');

-- Rebuilds every fact and bucket from the case tables (after a bulk load with triggers off;
-- the generator calls it after app.rebuild_rollups). Owner or superuser only.
CREATE FUNCTION app.rebuild_case_figures() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE app.case_figure_facts, app.figures_monthly, app.figures_monthly_by;
  INSERT INTO app.case_figure_facts SELECT f.* FROM app.cases c CROSS JOIN LATERAL app.case_fact(c.id) f;
  INSERT INTO app.figures_monthly (scope_code, month, received, accepted, resolved, closed, on_time, followed_up,
    satisfied, escalated, returns, repeat_claims, group_disputes, group_people, people, amount_cents, resolve_days_sum,
    resolved_village, resolved_township, resolved_county, resolved_above, open, open_red, open_yellow, open_blue,
    open_risk_red, open_risk_yellow, open_risk_blue)
  SELECT scope_code, month, count(*), count(*) FILTER (WHERE accepted), count(*) FILTER (WHERE resolved),
    count(*) FILTER (WHERE closed), count(*) FILTER (WHERE on_time), count(*) FILTER (WHERE followed_up),
    count(*) FILTER (WHERE satisfied), count(*) FILTER (WHERE escalated), sum(returns),
    count(*) FILTER (WHERE repeat_claim), count(*) FILTER (WHERE group_dispute),
    coalesce(sum(people) FILTER (WHERE group_dispute), 0), sum(people), sum(amount_cents),
    coalesce(sum(resolve_days), 0),
    count(*) FILTER (WHERE resolved_tier = 'village'), count(*) FILTER (WHERE resolved_tier = 'township'),
    count(*) FILTER (WHERE resolved_tier = 'county'), count(*) FILTER (WHERE resolved_tier = 'above'),
    count(*) FILTER (WHERE open), count(*) FILTER (WHERE open AND colour = 'red'),
    count(*) FILTER (WHERE open AND colour = 'yellow'), count(*) FILTER (WHERE open AND colour = 'blue'),
    count(*) FILTER (WHERE open AND risk_grade = 'red'), count(*) FILTER (WHERE open AND risk_grade = 'yellow'),
    count(*) FILTER (WHERE open AND risk_grade = 'blue')
  FROM app.case_figure_facts GROUP BY scope_code, month;
  INSERT INTO app.figures_monthly_by (scope_code, month, dim, key, cases, resolved)
  SELECT scope_code, month, x.dim, x.key, count(*), count(*) FILTER (WHERE x.res)
  FROM app.case_figure_facts,
    LATERAL (VALUES ('category', category_code, resolved), ('channel', channel::text, resolved),
      ('risk', risk_grade::text, resolved), ('days', resolve_days::text, true)) AS x (dim, key, res)
  WHERE x.key IS NOT NULL
  GROUP BY scope_code, month, x.dim, x.key;
  ANALYZE app.case_figure_facts;
  ANALYZE app.figures_monthly;
  ANALYZE app.figures_monthly_by;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_case_figures() FROM PUBLIC;

-- Existing cases (the owner sees rows only while RLS is not forced on it, inside this transaction).
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by'] LOOP
    EXECUTE format('ALTER TABLE app.%I NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  PERFORM app.rebuild_case_figures();
  FOREACH t IN ARRAY ARRAY['cases', 'follow_ups', 'case_hops', 'case_deadlines', 'case_links', 'case_figure_facts',
    'figures_monthly', 'figures_monthly_by'] LOOP
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
