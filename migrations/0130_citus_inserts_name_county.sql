-- Citus, the write path (issue 14 §6, infra/SCALE.md): every INSERT into a distributed table names
-- county_code. The coordinator routes an INSERT by the distribution column's value in the
-- statement; the zzz_county_code trigger (0120) that fills it from scope_code runs on the shard,
-- too late ("cannot perform an INSERT without a partition column value", SQLSTATE 22004, which is
-- also what made sign-in answer 400 on the cluster: auth.audit's insert into app.audit_events).
-- Each value is left(<the row's unit>, 6), the value the trigger would have filled in, so nothing
-- changes on one PostgreSQL (the trigger and the CHECK stay: a value that disagrees is refused).
-- Lookups of distributed tables inside these functions name the county where it is known, so that
-- a statement is routed to one shard (and may run on the shard, from a trigger).
-- Also here: the bulk rebuild turns triggers off with SET LOCAL (set_config(…, true) never reaches
-- the workers), and auth.audit_purge's ON CONFLICT update takes its time as a parameter (the
-- 0115 rewrite: Citus refuses STABLE functions in DO UPDATE SET).

CREATE OR REPLACE FUNCTION app.intake_open(p_year integer, p_category text, p_key text, p_request_hash text)
RETURNS TABLE (seq integer, category_known boolean, prior_hash text, prior_response jsonb, rules jsonb, calendar jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, app, ref, pg_temp AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  county constant text := left(nullif(current_setting('app.scope', true), ''), 6);
  claimed boolean := true;
BEGIN
  IF p_key IS NOT NULL THEN
    INSERT INTO app.idempotency_keys (county_code, scope_code, key, user_id, request_hash)
      VALUES (county, s, p_key, nullif(current_setting('app.user_id', true), '')::uuid, p_request_hash)
      ON CONFLICT DO NOTHING;
    claimed := FOUND;
    IF NOT claimed THEN
      RETURN QUERY SELECT NULL::integer, NULL::boolean, k.request_hash, k.response, NULL::jsonb, NULL::jsonb
        FROM app.idempotency_keys k WHERE k.county_code = county AND k.scope_code = s AND k.key = p_key;
      IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::integer, NULL::boolean, NULL::text, NULL::jsonb, NULL::jsonb, NULL::jsonb;
      END IF;
      RETURN;
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ref.case_categories c WHERE c.code = p_category
                 UNION ALL SELECT 1 FROM app.case_categories c WHERE c.code = p_category AND c.active) THEN
    RETURN QUERY SELECT NULL::integer, false, NULL::text, NULL::jsonb, NULL::jsonb, NULL::jsonb;
    RETURN;
  END IF;
  -- The counter first, on its own (one shard), then the unit's rules and calendar (reference
  -- tables): Citus plans a modifying CTE joined to other tables as more than one statement anyway.
  INSERT INTO app.case_counters AS c (county_code, scope_code, year, last) VALUES (county, s, p_year, 1)
    ON CONFLICT (county_code, scope_code, year) DO UPDATE SET last = c.last + 1
    RETURNING c.last INTO seq;
  RETURN QUERY
    SELECT seq, true, NULL::text, NULL::jsonb,
      coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'scopeCode', p.scope_code,
          'categoryCode', p.category_code, 'stage', p.stage, 'amount', p.amount, 'unit', p.unit,
          'yellowShare', p.yellow_share::float8, 'version', p.version))
        FROM app.deadline_policies p WHERE p.stage IN ('first_contact', 'resolution')), '[]'::jsonb),
      -- The calendar entries of the unit and its ancestors (a few dozen rows, one index read).
      coalesce((SELECT jsonb_agg(jsonb_build_object('date', d.day::text, 'workday', d.workday, 'name', d.name,
          'scopeCode', d.scope_code))
        FROM app.calendar_days d WHERE d.scope_code IN (SELECT app.ancestor_codes(s))), '[]'::jsonb);
END $$;

CREATE OR REPLACE FUNCTION app.intake_record(p_year integer, p_seq integer, p_category text, p_channel text,
  p_title text, p_description text, p_location text, p_address_enc bytea, p_address_masked text, p_people integer,
  p_amount_cents bigint, p_group boolean, p_risk text, p_difficulty text, p_lookup bytea, p_parties jsonb,
  p_clocks jsonb, p_at timestamptz, p_event jsonb, p_key text)
RETURNS uuid LANGUAGE plpgsql SET search_path = pg_catalog, app, ref, pg_temp AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  county constant text := left(nullif(current_setting('app.scope', true), ''), 6);
  actor constant uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  v_code constant text := s || '-' || p_year || '-' || lpad(p_seq::text, 6, '0');
  v_id uuid;
BEGIN
  INSERT INTO app.cases (county_code, scope_code, owner_code, code, year, seq, category_code, channel, title,
      description, location_code, address_enc, address_masked, people_count, amount_cents, group_dispute, risk_grade,
      difficulty, lookup_digest, registered_by)
    VALUES (county, s, s, v_code, p_year, p_seq, p_category, p_channel::app.case_channel, p_title, p_description,
      p_location, p_address_enc, p_address_masked, p_people, p_amount_cents, p_group, p_risk::app.risk_grade,
      p_difficulty, p_lookup, actor)
    RETURNING id INTO v_id;
  INSERT INTO app.case_parties (county_code, case_id, role, kind, name_enc, name_masked, id_number_enc,
      id_number_index, id_number_masked, phone_enc, phone_index, phone_masked, address_enc, address_masked, org_code)
    SELECT county, v_id, p.role::app.party_role, p.kind, decode(p.name_enc, 'hex'), p.name_masked,
      decode(p.id_number_enc, 'hex'), decode(p.id_number_index, 'hex'), p.id_number_masked,
      decode(p.phone_enc, 'hex'), decode(p.phone_index, 'hex'), p.phone_masked,
      decode(p.address_enc, 'hex'), p.address_masked, p.org_code
    FROM ROWS FROM (jsonb_to_recordset(p_parties) AS (role text, kind text, name_enc text, name_masked text,
      id_number_enc text, id_number_index text, id_number_masked text, phone_enc text, phone_index text,
      phone_masked text, address_enc text, address_masked text, org_code text)) WITH ORDINALITY
      AS p (role, kind, name_enc, name_masked, id_number_enc, id_number_index, id_number_masked, phone_enc,
        phone_index, phone_masked, address_enc, address_masked, org_code, n)
    ORDER BY p.n;
  -- Repeat claimants: the same ID number in other cases the unit can see. A unit at county level or
  -- below sees its own county's cases only, so the lookup names the county (one shard on Citus);
  -- a city's or province's intake looks in every county it sees.
  IF length(s) >= 6 THEN
    INSERT INTO app.case_links (county_code, case_id, related_id, reason)
      SELECT DISTINCT county, v_id, cp.case_id, 'repeat_claimant' FROM app.case_parties cp
      WHERE cp.county_code = county
        AND cp.id_number_index IN (SELECT decode(x ->> 'id_number_index', 'hex') FROM jsonb_array_elements(p_parties) x
                                   WHERE x ->> 'id_number_index' IS NOT NULL)
        AND cp.case_id <> v_id
      ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO app.case_links (county_code, case_id, related_id, reason)
      SELECT DISTINCT county, v_id, cp.case_id, 'repeat_claimant' FROM app.case_parties cp
      WHERE cp.id_number_index IN (SELECT decode(x ->> 'id_number_index', 'hex') FROM jsonb_array_elements(p_parties) x
                                   WHERE x ->> 'id_number_index' IS NOT NULL)
        AND cp.case_id <> v_id
      ON CONFLICT DO NOTHING;
  END IF;
  INSERT INTO app.case_deadlines (county_code, case_id, stage, owner_code, policy_id, policy_version, amount, unit,
      yellow_share, started_at, due_at, ref_id, basis, paused_since)
    SELECT county, v_id, c.stage, s, c.policy_id, c.policy_version, c.amount, c.unit::app.deadline_unit,
      c.yellow_share, p_at, c.due_at, NULL, 'policy', NULL
    FROM ROWS FROM (jsonb_to_recordset(p_clocks) AS (stage text, policy_id uuid, policy_version integer,
      amount integer, unit text, yellow_share numeric, due_at timestamptz)) WITH ORDINALITY
      AS c (stage, policy_id, policy_version, amount, unit, yellow_share, due_at, n)
    ORDER BY c.n;
  INSERT INTO app.case_events (county_code, case_id, actor_id, actor_scope, kind, payload)
    VALUES (county, v_id, actor, s, 'case.registered', p_event);
  IF p_key IS NOT NULL THEN
    UPDATE app.idempotency_keys SET response = jsonb_build_object('id', v_id, 'code', v_code)
      WHERE county_code = county AND scope_code = s AND key = p_key;
  END IF;
  RETURN v_id;
END $$;

CREATE OR REPLACE FUNCTION auth.audit(p_scope text, p_tenant uuid, p_actor uuid, p_kind text, p_subject text,
  p_ip text, p_detail jsonb DEFAULT '{}'::jsonb)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  INSERT INTO app.audit_events (county_code, scope_code, tenant_id, actor_id, kind, subject_id, ip, detail)
  VALUES (left(coalesce(p_scope, '!'), 6), coalesce(p_scope, '!'), p_tenant, p_actor, p_kind, p_subject, p_ip,
    coalesce(p_detail, '{}'));
$$;

-- The time of the purge is computed once and reaches the ON CONFLICT update as a parameter.
CREATE OR REPLACE FUNCTION auth.audit_purge(p_cutoff timestamptz)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE c auth.audit_checkpoints; n bigint := 0; d bigint; t timestamptz := now();
BEGIN
  IF p_cutoff > t - interval '180 days' THEN
    RAISE EXCEPTION 'the retention is at least 180 days' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR c IN SELECT DISTINCT ON (k.scope_code) k.* FROM auth.audit_checkpoints k
      WHERE k.at < p_cutoff ORDER BY k.scope_code, k.last_id DESC LOOP
    INSERT INTO auth.audit_anchors (scope_code, checkpoint_id) VALUES (c.scope_code, c.id)
      ON CONFLICT (scope_code) DO UPDATE SET checkpoint_id = excluded.checkpoint_id, purged_at = t
      WHERE auth.audit_anchors.checkpoint_id < excluded.checkpoint_id;
    DELETE FROM app.audit_events e
      WHERE e.county_code = left(c.scope_code, 6) AND e.scope_code = c.scope_code AND e.id <= c.last_id;
    GET DIAGNOSTICS d = ROW_COUNT;
    n := n + d;
  END LOOP;
  RETURN n;
END $$;

-- A case's status change queues a delivery for each active webhook of the open-channel key that
-- brought the case in. The requests are the case's own (its county); most cases came through no
-- channel, and then nothing else is read.
CREATE OR REPLACE FUNCTION auth.cases_queue_webhooks() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM app.channel_requests r WHERE r.county_code = NEW.county_code AND r.case_id = NEW.id) THEN
    RETURN NULL;
  END IF;
  INSERT INTO app.webhook_deliveries (county_code, scope_code, webhook_id, case_id, event, payload)
  SELECT left(w.scope_code, 6), w.scope_code, w.id, NEW.id, 'request.status_changed',
    jsonb_build_object('event', 'request.status_changed', 'at', now(),
      'request', jsonb_build_object('service_request_id', NEW.id, 'code', NEW.code,
        'external_id', r.external_id, 'detailed_status', NEW.status, 'previous_status', OLD.status))
  FROM app.channel_requests r JOIN app.webhooks w ON w.api_key_id = r.api_key_id AND w.active
  WHERE r.county_code = NEW.county_code AND r.case_id = NEW.id;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.cases_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  code constant text := CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END;
  -- The rows as app.cases: on Citus the trigger fires on a shard, whose row type is the shard's
  -- (same columns in the same order), which app.case_tally_keys(app.cases) does not take.
  new_row app.cases;
  old_row app.cases;
BEGIN
  IF TG_OP <> 'DELETE' THEN new_row := NEW; END IF;
  IF TG_OP <> 'INSERT' THEN old_row := OLD; END IF;
  INSERT INTO app.case_tallies AS t (county_code, scope_code, dim, value, shard, n)
  SELECT left(a.code, 6), a.code, k.dim, k.value, pg_backend_pid(), sum(k.d)
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
  SELECT left(a.code, 6), a.code, k.owner_code, k.colour, pg_backend_pid(), sum(k.d)
  FROM (SELECT NEW.owner_code AS owner_code, NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN app.ancestor_codes(CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END) AS a (code)
  GROUP BY a.code, k.owner_code, k.colour HAVING sum(k.d) <> 0
  ORDER BY 2, 3, 4
  ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.holding_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.holding_tallies AS t (county_code, scope_code, holder_len, shard, cases, periods, current,
    closed_seconds, open_from)
  SELECT left(a.code, 6), a.code, k.len, pg_backend_pid(), sum(k.cases), sum(k.periods), sum(k.current),
    sum(k.closed_seconds), sum(k.open_from)
  FROM (
    SELECT NEW.scope_code AS scope_code, length(NEW.holder_code) AS len, d.*
    FROM app.holding_delta(NEW.held_from, NEW.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.county_code = NEW.county_code AND h.case_id = NEW.case_id
          AND length(h.holder_code) = length(NEW.holder_code) AND h.id <> NEW.id), 1) d
    WHERE TG_OP <> 'DELETE'
    UNION ALL
    SELECT OLD.scope_code, length(OLD.holder_code), d.*
    FROM app.holding_delta(OLD.held_from, OLD.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.county_code = OLD.county_code AND h.case_id = OLD.case_id
          AND length(h.holder_code) = length(OLD.holder_code) AND h.id <> OLD.id), -1) d
    WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY a.code, k.len
  HAVING sum(k.cases) <> 0 OR sum(k.periods) <> 0 OR sum(k.current) <> 0 OR sum(k.closed_seconds) <> 0
    OR sum(k.open_from) <> 0
  ORDER BY 2, 3
  ON CONFLICT (county_code, scope_code, holder_len, shard) DO UPDATE SET cases = t.cases + excluded.cases,
    periods = t.periods + excluded.periods, current = t.current + excluded.current,
    closed_seconds = t.closed_seconds + excluded.closed_seconds, open_from = t.open_from + excluded.open_from;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION auth.cases_track_holding() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  finished constant app.case_state[] := ARRAY['closed', 'archived', 'cancelled', 'duplicate']::app.case_state[];
  was_done boolean;
  is_done boolean := NEW.status = ANY (finished);
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO app.case_holdings (county_code, case_id, holder_code, held_from)
      VALUES (NEW.county_code, NEW.id, NEW.owner_code, NEW.registered_at);
    RETURN NULL;
  END IF;
  was_done := OLD.status = ANY (finished);
  IF NEW.handler_code IS DISTINCT FROM OLD.handler_code THEN
    UPDATE app.case_holdings SET handler_code = NEW.handler_code WHERE county_code = NEW.county_code AND case_id = NEW.id;
  END IF;
  IF (NEW.owner_code IS DISTINCT FROM OLD.owner_code AND NOT was_done) OR (is_done AND NOT was_done) THEN
    UPDATE app.case_holdings SET held_until = now(), ended = CASE WHEN is_done THEN 'finished' ELSE 'handover' END
      WHERE county_code = NEW.county_code AND case_id = NEW.id AND held_until IS NULL;
  END IF;
  IF NOT is_done AND (was_done OR NEW.owner_code IS DISTINCT FROM OLD.owner_code) THEN
    INSERT INTO app.case_holdings (county_code, case_id, holder_code, held_from)
      VALUES (NEW.county_code, NEW.id, NEW.owner_code, now());
  END IF;
  RETURN NULL;
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
    SELECT county_code, scope_code, dim, value, 0, sum(n) FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4
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
    SELECT county_code, scope_code, owner_code, colour, 0, sum(n) FROM moved GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4
    ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n
    RETURNING t.county_code, t.scope_code, t.owner_code, t.colour, t.n)
  SELECT array_agg(county_code), array_agg(scope_code), array_agg(owner_code), array_agg(colour) INTO z0, z1, z2, z3
  FROM folded WHERE n = 0;
  DELETE FROM app.clock_tallies t USING unnest(z0, z1, z2, z3) AS z (county_code, scope_code, owner_code, colour)
  WHERE t.shard = 0 AND t.n = 0 AND t.county_code = z.county_code AND t.scope_code = z.scope_code
    AND t.owner_code = z.owner_code AND t.colour = z.colour;
END $$;

-- The bulk rebuild: a superuser (the bulk loader) skips the row triggers with SET LOCAL, which
-- Citus passes on to the workers (citus.propagate_set_commands = local); set_config(…, true) does not.
CREATE OR REPLACE FUNCTION app.rebuild_case_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    SET LOCAL session_replication_role = replica;
  END IF;
  PERFORM app.refresh_deadline_state(NULL);
  UPDATE app.cases c SET followed_up = x.followed
  FROM (SELECT c2.county_code, c2.id, EXISTS (SELECT 1 FROM app.follow_ups f
      WHERE f.county_code = c2.county_code AND f.case_id = c2.id) AS followed FROM app.cases c2) x
  WHERE c.county_code = x.county_code AND c.id = x.id AND c.followed_up IS DISTINCT FROM x.followed;
  DELETE FROM app.case_tallies;
  DELETE FROM app.clock_tallies;
  INSERT INTO app.case_tallies (county_code, scope_code, dim, value, shard, n)
    SELECT left(scope_code, 6), scope_code, dim, value, 0, n FROM app.expected_case_tallies();
  INSERT INTO app.clock_tallies (county_code, scope_code, owner_code, colour, shard, n)
    SELECT left(scope_code, 6), scope_code, owner_code, colour, 0, n FROM app.expected_clock_tallies();
END $$;

CREATE OR REPLACE FUNCTION app.rebuild_holding_tallies() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM app.holding_tallies;
  INSERT INTO app.holding_tallies (county_code, scope_code, holder_len, shard, cases, periods, current,
    closed_seconds, open_from)
  SELECT left(scope_code, 6), scope_code, holder_len, 0, cases, periods, current, closed_seconds, open_from
  FROM app.expected_holding_tallies() ORDER BY 2, 3;
END $$;

CREATE OR REPLACE FUNCTION app.replay_case_holdings() RETURNS bigint LANGUAGE sql AS $$
  WITH inserted AS (
    INSERT INTO app.case_holdings (county_code, case_id, scope_code, handler_code, holder_code, held_from,
      held_until, ended)
    SELECT c.county_code, p.case_id, c.scope_code, c.handler_code, p.holder, p.since,
      coalesce(p.next_at, CASE WHEN c.status IN ('closed', 'archived', 'cancelled', 'duplicate')
        THEN greatest(coalesce(c.closed_at, c.updated_at), p.since) END),
      CASE WHEN p.next_at IS NOT NULL THEN 'handover'
        WHEN c.status IN ('closed', 'archived', 'cancelled', 'duplicate') THEN 'finished' END
    FROM (
      SELECT x.county_code, x.case_id, x.holder, x.since,
        lead(x.since) OVER (PARTITION BY x.county_code, x.case_id ORDER BY x.since, x.n) AS next_at
      FROM (
        SELECT c.county_code, c.id AS case_id, c.scope_code AS holder, c.registered_at AS since, 0::bigint AS n
        FROM app.cases c
        UNION ALL
        SELECT h.county_code, h.case_id, h.to_code, h.at,
          row_number() OVER (PARTITION BY h.county_code, h.case_id ORDER BY h.at)
        FROM app.case_hops h WHERE h.kind IN ('escalate', 'assign_down', 'return')
      ) x
    ) p JOIN app.cases c ON c.county_code = p.county_code AND c.id = p.case_id
    WHERE NOT EXISTS (SELECT 1 FROM app.case_holdings e WHERE e.county_code = p.county_code AND e.case_id = p.case_id)
    RETURNING 1
  )
  SELECT count(*) FROM inserted
$$;
