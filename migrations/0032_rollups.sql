-- Rollups (issue 9 §3; the leaders' cockpit of issue 10 reads them): counts of any unit's
-- subtree, kept by triggers in the same transaction as the change, so that an overview reads a
-- few hundred rows instead of the subtree's cases.
--
-- Each row belongs to one unit (`scope_code`) and counts its whole subtree: a change to a case
-- of a village adds to the rows of the village, its township, county, city and province. A
-- unit reads its own rows for its totals and its children's rows for a drill-down.
-- * app.case_tallies: cases as they stand now, by state, worst running clock colour, category,
--   channel, risk grade, the tier that owns them now, the tier that registered them, group
--   disputes, and whether a closed case was followed up.
-- * app.case_monthly: what happened in each month (China time): received, accepted, resolved
--   (on time, at which tier), closed (followed up), people and amounts; by category, channel and
--   risk grade (dim/value). Follow-ups with their satisfaction, escalations, returns and
--   assignments go under dim 'all' (they count whatever the case's category now is).
-- * app.clock_tallies: running clocks by the unit that must meet them and colour.
-- Why a shard per backend: every change in a province touches the province's rows; keyed by the
-- writing backend (pg_backend_pid), two transactions never wait on, nor deadlock over, the same
-- rollup row. Readers sum the shards; auth.compact_rollups folds them into shard 0 now and then.
-- Why definer rights: a village's change must add to its ancestors' rows, which its policy does
-- not let it write. The trigger functions take every value from the row the caller was just
-- allowed to write (its policies decided that) and zz_app cannot write rollups itself.

-- The tier of a division code, its prefixes at every tier (itself included), a China month.
CREATE FUNCTION app.level_of(p_code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE length(p_code) WHEN 2 THEN 'province' WHEN 4 THEN 'city' WHEN 6 THEN 'county' WHEN 9 THEN 'township'
    WHEN 12 THEN 'village' END
$$;
CREATE FUNCTION app.ancestor_codes(p_code text) RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(p_code, n) FROM unnest(ARRAY[2, 4, 6, 9, 12]) AS n WHERE n <= length(p_code)
$$;
CREATE FUNCTION app.china_month(p_at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_trunc('month', p_at AT TIME ZONE 'Asia/Shanghai')::date
$$;

-- What the rollups read from a case beyond its own columns, kept on the case.
ALTER TABLE app.cases
  ADD COLUMN followed_up boolean NOT NULL DEFAULT false,
  -- Resolved before its resolution clock fell due (按时办结); null while unresolved.
  ADD COLUMN resolved_on_time boolean;
GRANT UPDATE (followed_up) ON app.cases TO zz_app;

CREATE FUNCTION app.cases_resolution_timing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.resolved_at IS NULL THEN
    NEW.resolved_on_time := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.resolved_at IS NULL THEN
    NEW.resolved_on_time := (SELECT NEW.resolved_at <= d.due_at FROM app.case_deadlines d
      WHERE d.case_id = NEW.id AND d.stage = 'resolution' AND d.started_at <= NEW.resolved_at
      ORDER BY d.started_at DESC LIMIT 1);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER cases_resolution_timing BEFORE INSERT OR UPDATE OF resolved_at ON app.cases
  FOR EACH ROW EXECUTE FUNCTION app.cases_resolution_timing();

CREATE FUNCTION app.follow_ups_mark_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE app.cases SET followed_up = true WHERE id = NEW.case_id AND NOT followed_up;
  RETURN NULL;
END $$;
CREATE TRIGGER follow_ups_mark_case AFTER INSERT ON app.follow_ups
  FOR EACH ROW EXECUTE FUNCTION app.follow_ups_mark_case();

CREATE TABLE app.case_tallies (
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  dim         text NOT NULL,
  value       text NOT NULL,
  shard       integer NOT NULL DEFAULT 0,
  n           bigint NOT NULL,
  PRIMARY KEY (scope_code, dim, value, shard)
);

CREATE TABLE app.case_monthly (
  scope_code          text COLLATE "C" NOT NULL,
  county_code         text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  month               date NOT NULL,
  dim                 text NOT NULL,
  value               text NOT NULL,
  shard               integer NOT NULL DEFAULT 0,
  received            integer NOT NULL DEFAULT 0,
  accepted            integer NOT NULL DEFAULT 0,
  resolved            integer NOT NULL DEFAULT 0,
  resolved_on_time    integer NOT NULL DEFAULT 0,
  resolved_village    integer NOT NULL DEFAULT 0,
  resolved_township   integer NOT NULL DEFAULT 0,
  resolved_county     integer NOT NULL DEFAULT 0,
  resolved_city       integer NOT NULL DEFAULT 0,
  resolved_province   integer NOT NULL DEFAULT 0,
  resolve_seconds     bigint NOT NULL DEFAULT 0,
  closed              integer NOT NULL DEFAULT 0,
  closed_followed     integer NOT NULL DEFAULT 0,
  group_disputes      integer NOT NULL DEFAULT 0,
  people              bigint NOT NULL DEFAULT 0,
  amount_cents        bigint NOT NULL DEFAULT 0,
  follow_ups          integer NOT NULL DEFAULT 0,
  satisfied           integer NOT NULL DEFAULT 0,
  basically_satisfied integer NOT NULL DEFAULT 0,
  unsatisfied         integer NOT NULL DEFAULT 0,
  escalations         integer NOT NULL DEFAULT 0,
  returns             integer NOT NULL DEFAULT 0,
  assignments         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_code, month, dim, value, shard)
);

CREATE TABLE app.clock_tallies (
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  owner_code  text COLLATE "C" NOT NULL,
  colour      text NOT NULL,
  shard       integer NOT NULL DEFAULT 0,
  n           bigint NOT NULL,
  PRIMARY KEY (scope_code, owner_code, colour, shard)
);

DO $$
DECLARE t text;
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_tallies', 'case_monthly', 'clock_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
    -- A unit reads the rollups of itself and its subtree.
    EXECUTE format('CREATE POLICY %I ON app.%I FOR SELECT TO zz_app USING (scope_code >= %s AND scope_code < %s || '':'')',
      t || '_read', t, s, s);
    EXECUTE format('CREATE POLICY %I ON app.%I FOR ALL TO zz_auth USING (true) WITH CHECK (true)', t || '_auth', t);
    EXECUTE format('GRANT SELECT ON app.%I TO zz_app', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON app.%I TO zz_auth', t);
  END LOOP;
END $$;

-- What a case adds to the tallies as it stands.
CREATE FUNCTION app.case_tally_keys(c app.cases) RETURNS TABLE (dim text, value text) LANGUAGE sql STABLE AS $$
  SELECT k.dim, k.value FROM (VALUES
    ('state', c.status::text),
    ('colour', coalesce(c.deadline_colour, 'none')),
    ('category', c.category_code),
    ('channel', c.channel::text),
    ('risk', c.risk_grade::text),
    ('tier', app.level_of(c.owner_code)),
    ('level', app.level_of(c.scope_code)),
    ('group', CASE WHEN c.group_dispute THEN 'yes' END),
    ('followed', CASE WHEN c.status IN ('closed', 'archived') THEN CASE WHEN c.followed_up THEN 'yes' ELSE 'no' END END)
  ) AS k (dim, value)
  WHERE k.value IS NOT NULL
$$;

-- What a case adds to the months in which things happened to it, per dimension.
CREATE FUNCTION app.case_month_keys(c app.cases)
RETURNS TABLE (month date, dim text, value text, received integer, accepted integer, resolved integer,
  resolved_on_time integer, resolved_village integer, resolved_township integer, resolved_county integer,
  resolved_city integer, resolved_province integer, resolve_seconds bigint, closed integer, closed_followed integer,
  group_disputes integer, people bigint, amount_cents bigint)
LANGUAGE sql STABLE AS $$
  SELECT e.month, d.dim, d.value, sum(e.received)::integer, sum(e.accepted)::integer, sum(e.resolved)::integer,
    sum(e.on_time)::integer, sum(e.r_village)::integer, sum(e.r_township)::integer, sum(e.r_county)::integer,
    sum(e.r_city)::integer, sum(e.r_province)::integer, sum(e.seconds)::bigint, sum(e.closed)::integer,
    sum(e.followed)::integer, sum(e.groups)::integer, sum(e.people)::bigint, sum(e.amount)::bigint
  FROM (
    SELECT app.china_month(c.registered_at) AS month, 1 AS received, 0 AS accepted, 0 AS resolved, 0 AS on_time,
      0 AS r_village, 0 AS r_township, 0 AS r_county, 0 AS r_city, 0 AS r_province, 0::bigint AS seconds, 0 AS closed,
      0 AS followed, CASE WHEN c.group_dispute THEN 1 ELSE 0 END AS groups, c.people_count::bigint AS people,
      coalesce(c.amount_cents, 0) AS amount
    UNION ALL
    SELECT app.china_month(c.accepted_at), 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 WHERE c.accepted_at IS NOT NULL
    UNION ALL
    SELECT app.china_month(c.resolved_at), 0, 0, 1, CASE WHEN c.resolved_on_time THEN 1 ELSE 0 END,
      CASE length(c.owner_code) WHEN 12 THEN 1 ELSE 0 END, CASE length(c.owner_code) WHEN 9 THEN 1 ELSE 0 END,
      CASE length(c.owner_code) WHEN 6 THEN 1 ELSE 0 END, CASE length(c.owner_code) WHEN 4 THEN 1 ELSE 0 END,
      CASE length(c.owner_code) WHEN 2 THEN 1 ELSE 0 END,
      greatest(0, extract(epoch FROM c.resolved_at - c.registered_at))::bigint, 0, 0, 0, 0, 0
    WHERE c.resolved_at IS NOT NULL
    UNION ALL
    SELECT app.china_month(c.closed_at), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, CASE WHEN c.followed_up THEN 1 ELSE 0 END,
      0, 0, 0
    WHERE c.closed_at IS NOT NULL
  ) AS e
  CROSS JOIN (VALUES ('category', c.category_code), ('channel', c.channel::text), ('risk', c.risk_grade::text))
    AS d (dim, value)
  GROUP BY e.month, d.dim, d.value
$$;

CREATE FUNCTION auth.cases_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  code constant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END;
BEGIN
  INSERT INTO app.case_tallies AS t (scope_code, dim, value, shard, n)
  SELECT a.code, k.dim, k.value, pg_backend_pid(), sum(k.d)
  FROM (SELECT x.dim, x.value, 1 AS d FROM app.case_tally_keys(NEW) x WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT x.dim, x.value, -1 FROM app.case_tally_keys(OLD) x WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(code) AS a (code)
  GROUP BY a.code, k.dim, k.value HAVING sum(k.d) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n;

  INSERT INTO app.case_monthly AS t (scope_code, month, dim, value, shard, received, accepted, resolved,
    resolved_on_time, resolved_village, resolved_township, resolved_county, resolved_city, resolved_province,
    resolve_seconds, closed, closed_followed, group_disputes, people, amount_cents)
  SELECT a.code, k.month, k.dim, k.value, pg_backend_pid(), sum(k.received * k.d), sum(k.accepted * k.d),
    sum(k.resolved * k.d), sum(k.resolved_on_time * k.d), sum(k.resolved_village * k.d), sum(k.resolved_township * k.d),
    sum(k.resolved_county * k.d), sum(k.resolved_city * k.d), sum(k.resolved_province * k.d),
    sum(k.resolve_seconds * k.d), sum(k.closed * k.d), sum(k.closed_followed * k.d), sum(k.group_disputes * k.d),
    sum(k.people * k.d), sum(k.amount_cents * k.d)
  FROM (SELECT x.*, 1 AS d FROM app.case_month_keys(NEW) x WHERE TG_OP <> 'DELETE'
        UNION ALL SELECT x.*, -1 FROM app.case_month_keys(OLD) x WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(code) AS a (code)
  GROUP BY a.code, k.month, k.dim, k.value
  HAVING sum(k.received * k.d) <> 0 OR sum(k.accepted * k.d) <> 0 OR sum(k.resolved * k.d) <> 0
    OR sum(k.resolved_on_time * k.d) <> 0 OR sum(k.resolve_seconds * k.d) <> 0 OR sum(k.closed * k.d) <> 0
    OR sum(k.closed_followed * k.d) <> 0 OR sum(k.group_disputes * k.d) <> 0 OR sum(k.people * k.d) <> 0
    OR sum(k.amount_cents * k.d) <> 0 OR sum(k.resolved_village * k.d) <> 0 OR sum(k.resolved_township * k.d) <> 0
    OR sum(k.resolved_county * k.d) <> 0 OR sum(k.resolved_city * k.d) <> 0 OR sum(k.resolved_province * k.d) <> 0
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (scope_code, month, dim, value, shard) DO UPDATE SET
    received = t.received + excluded.received, accepted = t.accepted + excluded.accepted,
    resolved = t.resolved + excluded.resolved, resolved_on_time = t.resolved_on_time + excluded.resolved_on_time,
    resolved_village = t.resolved_village + excluded.resolved_village,
    resolved_township = t.resolved_township + excluded.resolved_township,
    resolved_county = t.resolved_county + excluded.resolved_county,
    resolved_city = t.resolved_city + excluded.resolved_city,
    resolved_province = t.resolved_province + excluded.resolved_province,
    resolve_seconds = t.resolve_seconds + excluded.resolve_seconds, closed = t.closed + excluded.closed,
    closed_followed = t.closed_followed + excluded.closed_followed,
    group_disputes = t.group_disputes + excluded.group_disputes, people = t.people + excluded.people,
    amount_cents = t.amount_cents + excluded.amount_cents;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.cases_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.cases_rollups() FROM PUBLIC;
CREATE TRIGGER cases_rollups AFTER INSERT OR DELETE ON app.cases
  FOR EACH ROW EXECUTE FUNCTION auth.cases_rollups();
-- Timeline appends update the case's chain columns on every event: those change no rollup.
CREATE TRIGGER cases_rollups_update AFTER UPDATE ON app.cases FOR EACH ROW
  WHEN ((OLD.status, OLD.deadline_colour, OLD.category_code, OLD.channel, OLD.risk_grade, OLD.owner_code,
         OLD.group_dispute, OLD.followed_up, OLD.resolved_on_time, OLD.registered_at, OLD.accepted_at, OLD.resolved_at,
         OLD.closed_at, OLD.people_count, OLD.amount_cents)
    IS DISTINCT FROM (NEW.status, NEW.deadline_colour, NEW.category_code, NEW.channel, NEW.risk_grade, NEW.owner_code,
         NEW.group_dispute, NEW.followed_up, NEW.resolved_on_time, NEW.registered_at, NEW.accepted_at, NEW.resolved_at,
         NEW.closed_at, NEW.people_count, NEW.amount_cents))
  EXECUTE FUNCTION auth.cases_rollups();

-- Follow-ups and hops count in the month they happen, under the case's units (dim 'all').
CREATE FUNCTION auth.case_children_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  m constant date := app.china_month(NEW.at);
  f integer := 0; sat integer := 0; basic integer := 0; unsat integer := 0; esc integer := 0; ret integer := 0;
  asg integer := 0;
BEGIN
  IF TG_TABLE_NAME = 'follow_ups' THEN
    f := 1;
    sat := CASE WHEN NEW.satisfaction = 'satisfied' THEN 1 ELSE 0 END;
    basic := CASE WHEN NEW.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END;
    unsat := CASE WHEN NEW.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END;
  ELSE
    esc := CASE WHEN NEW.kind = 'escalate' THEN 1 ELSE 0 END;
    ret := CASE WHEN NEW.kind = 'return' THEN 1 ELSE 0 END;
    asg := CASE WHEN NEW.kind = 'assign_down' THEN 1 ELSE 0 END;
    IF esc + ret + asg = 0 THEN RETURN NULL; END IF;
  END IF;
  INSERT INTO app.case_monthly AS t (scope_code, month, dim, value, shard, follow_ups, satisfied, basically_satisfied,
    unsatisfied, escalations, returns, assignments)
  SELECT a.code, m, 'all', '', pg_backend_pid(), f, sat, basic, unsat, esc, ret, asg
  FROM app.ancestor_codes(NEW.scope_code) AS a (code) ORDER BY 1
  ON CONFLICT (scope_code, month, dim, value, shard) DO UPDATE SET
    follow_ups = t.follow_ups + excluded.follow_ups, satisfied = t.satisfied + excluded.satisfied,
    basically_satisfied = t.basically_satisfied + excluded.basically_satisfied,
    unsatisfied = t.unsatisfied + excluded.unsatisfied, escalations = t.escalations + excluded.escalations,
    returns = t.returns + excluded.returns, assignments = t.assignments + excluded.assignments;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.case_children_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.case_children_rollups() FROM PUBLIC;
CREATE TRIGGER follow_ups_rollups AFTER INSERT ON app.follow_ups
  FOR EACH ROW EXECUTE FUNCTION auth.case_children_rollups();
CREATE TRIGGER case_hops_rollups AFTER INSERT ON app.case_hops
  FOR EACH ROW EXECUTE FUNCTION auth.case_children_rollups();

-- Running clocks by owner and colour.
CREATE FUNCTION auth.clock_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.clock_tallies AS t (scope_code, owner_code, colour, shard, n)
  SELECT a.code, k.owner_code, k.colour, pg_backend_pid(), sum(k.d)
  FROM (SELECT NEW.owner_code AS owner_code, NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN app.ancestor_codes(CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END) AS a (code)
  GROUP BY a.code, k.owner_code, k.colour HAVING sum(k.d) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.clock_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.clock_rollups() FROM PUBLIC;
CREATE TRIGGER case_deadlines_rollups AFTER INSERT OR DELETE ON app.case_deadlines
  FOR EACH ROW EXECUTE FUNCTION auth.clock_rollups();
CREATE TRIGGER case_deadlines_rollups_update AFTER UPDATE ON app.case_deadlines FOR EACH ROW
  WHEN ((OLD.owner_code, OLD.colour, OLD.completed_at IS NULL, OLD.paused_since IS NULL)
    IS DISTINCT FROM (NEW.owner_code, NEW.colour, NEW.completed_at IS NULL, NEW.paused_since IS NULL))
  EXECUTE FUNCTION auth.clock_rollups();

-- Folds every backend's shard rows into shard 0 and drops rows that count nothing. Skips rows a
-- running transaction holds (taken next time), so it never waits and never deadlocks.
CREATE FUNCTION auth.compact_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  WITH moved AS (
    DELETE FROM app.case_tallies t USING (SELECT ctid FROM app.case_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.scope_code, t.dim, t.value, t.n)
  INSERT INTO app.case_tallies AS t (scope_code, dim, value, shard, n)
  SELECT scope_code, dim, value, 0, sum(n) FROM moved GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, dim, value, shard) DO UPDATE SET n = t.n + excluded.n;
  DELETE FROM app.case_tallies WHERE shard = 0 AND n = 0;

  WITH moved AS (
    DELETE FROM app.clock_tallies t USING (SELECT ctid FROM app.clock_tallies WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.scope_code, t.owner_code, t.colour, t.n)
  INSERT INTO app.clock_tallies AS t (scope_code, owner_code, colour, shard, n)
  SELECT scope_code, owner_code, colour, 0, sum(n) FROM moved GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;
  DELETE FROM app.clock_tallies WHERE shard = 0 AND n = 0;

  WITH moved AS (
    DELETE FROM app.case_monthly t USING (SELECT ctid FROM app.case_monthly WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
    WHERE t.ctid = x.ctid RETURNING t.*)
  INSERT INTO app.case_monthly AS t (scope_code, month, dim, value, shard, received, accepted, resolved,
    resolved_on_time, resolved_village, resolved_township, resolved_county, resolved_city, resolved_province,
    resolve_seconds, closed, closed_followed, group_disputes, people, amount_cents, follow_ups, satisfied,
    basically_satisfied, unsatisfied, escalations, returns, assignments)
  SELECT scope_code, month, dim, value, 0, sum(received), sum(accepted), sum(resolved), sum(resolved_on_time),
    sum(resolved_village), sum(resolved_township), sum(resolved_county), sum(resolved_city), sum(resolved_province),
    sum(resolve_seconds), sum(closed), sum(closed_followed), sum(group_disputes), sum(people), sum(amount_cents),
    sum(follow_ups), sum(satisfied), sum(basically_satisfied), sum(unsatisfied), sum(escalations), sum(returns),
    sum(assignments)
  FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (scope_code, month, dim, value, shard) DO UPDATE SET
    received = t.received + excluded.received, accepted = t.accepted + excluded.accepted,
    resolved = t.resolved + excluded.resolved, resolved_on_time = t.resolved_on_time + excluded.resolved_on_time,
    resolved_village = t.resolved_village + excluded.resolved_village,
    resolved_township = t.resolved_township + excluded.resolved_township,
    resolved_county = t.resolved_county + excluded.resolved_county,
    resolved_city = t.resolved_city + excluded.resolved_city,
    resolved_province = t.resolved_province + excluded.resolved_province,
    resolve_seconds = t.resolve_seconds + excluded.resolve_seconds, closed = t.closed + excluded.closed,
    closed_followed = t.closed_followed + excluded.closed_followed,
    group_disputes = t.group_disputes + excluded.group_disputes, people = t.people + excluded.people,
    amount_cents = t.amount_cents + excluded.amount_cents, follow_ups = t.follow_ups + excluded.follow_ups,
    satisfied = t.satisfied + excluded.satisfied, basically_satisfied = t.basically_satisfied + excluded.basically_satisfied,
    unsatisfied = t.unsatisfied + excluded.unsatisfied, escalations = t.escalations + excluded.escalations,
    returns = t.returns + excluded.returns, assignments = t.assignments + excluded.assignments;
END $$;
ALTER FUNCTION auth.compact_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.compact_rollups() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.compact_rollups() TO zz_app;

-- The rollups computed from the case tables, as rows of the three tables would hold them (the
-- rebuild writes these, the tests compare the kept rollups with them).
CREATE FUNCTION app.expected_case_tallies() RETURNS TABLE (scope_code text, dim text, value text, n bigint)
LANGUAGE sql STABLE AS $$
  WITH own AS (SELECT c.scope_code, k.dim, k.value, count(*) AS n FROM app.cases c
               CROSS JOIN LATERAL app.case_tally_keys(c) k GROUP BY 1, 2, 3)
  SELECT a.code, own.dim, own.value, sum(own.n)::bigint FROM own CROSS JOIN LATERAL app.ancestor_codes(own.scope_code) a (code)
  GROUP BY 1, 2, 3
$$;
CREATE FUNCTION app.expected_clock_tallies() RETURNS TABLE (scope_code text, owner_code text, colour text, n bigint)
LANGUAGE sql STABLE AS $$
  WITH own AS (SELECT d.scope_code, d.owner_code, d.colour, count(*) AS n FROM app.case_deadlines d
               WHERE d.completed_at IS NULL AND d.paused_since IS NULL GROUP BY 1, 2, 3)
  SELECT a.code, own.owner_code, own.colour, sum(own.n)::bigint FROM own
  CROSS JOIN LATERAL app.ancestor_codes(own.scope_code) a (code) GROUP BY 1, 2, 3
$$;
CREATE FUNCTION app.expected_case_monthly()
RETURNS TABLE (scope_code text, month date, dim text, value text, received integer, accepted integer, resolved integer,
  resolved_on_time integer, resolved_village integer, resolved_township integer, resolved_county integer,
  resolved_city integer, resolved_province integer, resolve_seconds bigint, closed integer, closed_followed integer,
  group_disputes integer, people bigint, amount_cents bigint, follow_ups integer, satisfied integer,
  basically_satisfied integer, unsatisfied integer, escalations integer, returns integer, assignments integer)
LANGUAGE sql STABLE AS $$
  WITH own AS (
    SELECT c.scope_code, k.month, k.dim, k.value, sum(k.received) AS received, sum(k.accepted) AS accepted,
      sum(k.resolved) AS resolved, sum(k.resolved_on_time) AS resolved_on_time, sum(k.resolved_village) AS rv,
      sum(k.resolved_township) AS rt, sum(k.resolved_county) AS rc, sum(k.resolved_city) AS ry,
      sum(k.resolved_province) AS rp, sum(k.resolve_seconds) AS resolve_seconds, sum(k.closed) AS closed,
      sum(k.closed_followed) AS closed_followed, sum(k.group_disputes) AS group_disputes, sum(k.people) AS people,
      sum(k.amount_cents) AS amount_cents, 0 AS follow_ups, 0 AS satisfied, 0 AS basically_satisfied,
      0 AS unsatisfied, 0 AS escalations, 0 AS returns, 0 AS assignments
    FROM app.cases c CROSS JOIN LATERAL app.case_month_keys(c) k GROUP BY 1, 2, 3, 4
    UNION ALL
    SELECT f.scope_code, app.china_month(f.at), 'all', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      count(*), count(*) FILTER (WHERE f.satisfaction = 'satisfied'),
      count(*) FILTER (WHERE f.satisfaction = 'basically_satisfied'),
      count(*) FILTER (WHERE f.satisfaction = 'unsatisfied'), 0, 0, 0
    FROM app.follow_ups f GROUP BY 1, 2
    UNION ALL
    SELECT h.scope_code, app.china_month(h.at), 'all', '', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      count(*) FILTER (WHERE h.kind = 'escalate'), count(*) FILTER (WHERE h.kind = 'return'),
      count(*) FILTER (WHERE h.kind = 'assign_down')
    FROM app.case_hops h WHERE h.kind IN ('escalate', 'return', 'assign_down') GROUP BY 1, 2)
  SELECT a.code, own.month, own.dim, own.value, sum(received)::integer, sum(accepted)::integer,
    sum(resolved)::integer, sum(resolved_on_time)::integer, sum(rv)::integer, sum(rt)::integer, sum(rc)::integer,
    sum(ry)::integer, sum(rp)::integer, sum(resolve_seconds)::bigint, sum(closed)::integer,
    sum(closed_followed)::integer, sum(group_disputes)::integer, sum(people)::bigint, sum(amount_cents)::bigint,
    sum(follow_ups)::integer, sum(satisfied)::integer, sum(basically_satisfied)::integer, sum(unsatisfied)::integer,
    sum(escalations)::integer, sum(returns)::integer, sum(assignments)::integer
  FROM own CROSS JOIN LATERAL app.ancestor_codes(own.scope_code) a (code)
  GROUP BY a.code, own.month, own.dim, own.value
$$;

-- After a bulk load (the generator calls it after COPY): the derived case columns, the clocks'
-- turning instants and colours, and every rollup, from the case tables.
CREATE OR REPLACE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- A superuser (the bulk loader) skips the row triggers: everything they keep is rebuilt here.
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    PERFORM set_config('session_replication_role', 'replica', true);
  END IF;
  PERFORM app.refresh_deadline_state(NULL);
  UPDATE app.cases c SET followed_up = x.followed
  FROM (SELECT c2.id, EXISTS (SELECT 1 FROM app.follow_ups f WHERE f.case_id = c2.id) AS followed FROM app.cases c2) x
  WHERE c.id = x.id AND c.followed_up IS DISTINCT FROM x.followed;
  UPDATE app.cases c SET resolved_on_time = x.on_time
  FROM (SELECT c2.id, CASE WHEN c2.resolved_at IS NOT NULL THEN (SELECT c2.resolved_at <= d.due_at FROM app.case_deadlines d
          WHERE d.case_id = c2.id AND d.stage = 'resolution' AND d.started_at <= c2.resolved_at
          ORDER BY d.started_at DESC LIMIT 1) END AS on_time FROM app.cases c2) x
  WHERE c.id = x.id AND c.resolved_on_time IS DISTINCT FROM x.on_time;
  DELETE FROM app.case_tallies;
  DELETE FROM app.case_monthly;
  DELETE FROM app.clock_tallies;
  INSERT INTO app.case_tallies (scope_code, dim, value, shard, n)
    SELECT scope_code, dim, value, 0, n FROM app.expected_case_tallies();
  INSERT INTO app.clock_tallies (scope_code, owner_code, colour, shard, n)
    SELECT scope_code, owner_code, colour, 0, n FROM app.expected_clock_tallies();
  INSERT INTO app.case_monthly (scope_code, month, dim, value, shard, received, accepted, resolved, resolved_on_time,
    resolved_village, resolved_township, resolved_county, resolved_city, resolved_province, resolve_seconds, closed,
    closed_followed, group_disputes, people, amount_cents, follow_ups, satisfied, basically_satisfied, unsatisfied,
    escalations, returns, assignments)
  SELECT x.scope_code, x.month, x.dim, x.value, 0, x.received, x.accepted, x.resolved, x.resolved_on_time,
    x.resolved_village, x.resolved_township, x.resolved_county, x.resolved_city, x.resolved_province, x.resolve_seconds,
    x.closed, x.closed_followed, x.group_disputes, x.people, x.amount_cents, x.follow_ups, x.satisfied,
    x.basically_satisfied, x.unsatisfied, x.escalations, x.returns, x.assignments
  FROM app.expected_case_monthly() x;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rollups() FROM PUBLIC;

-- Existing rows: the owner sees them only while RLS is not forced on it, inside this transaction.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cases', 'case_deadlines', 'follow_ups', 'case_hops', 'case_tallies', 'case_monthly',
    'clock_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;
  PERFORM app.rebuild_rollups();
  FOREACH t IN ARRAY ARRAY['cases', 'case_deadlines', 'follow_ups', 'case_hops', 'case_tallies', 'case_monthly',
    'clock_tallies'] LOOP
    EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $$;
