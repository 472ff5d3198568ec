-- Citus, the write path (issue 14 §6, infra/SCALE.md): intake writes a case's parties, clocks and
-- repeat-claimant links one row at a time.
--
-- `app.intake_record` inserted them with INSERT … SELECT from the request's JSON (and, for the
-- links, from a lookup with the county as a constant). On Citus an INSERT … SELECT whose SELECT is
-- not a query on the same shards runs through the coordinator, which sends the rows to the
-- shards with COPY, and COPY is refused under row-level security ("COPY FROM not supported with
-- row-level security"): registration through the API failed there. Each row is now its own
-- INSERT … VALUES with county_code (a router insert into the case's shard). On one PostgreSQL it is
-- the same rows in the same order (a case has a handful of parties and two clocks).

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
  p record;
  c record;
  related uuid;
BEGIN
  INSERT INTO app.cases (county_code, scope_code, owner_code, code, year, seq, category_code, channel, title,
      description, location_code, address_enc, address_masked, people_count, amount_cents, group_dispute, risk_grade,
      difficulty, lookup_digest, registered_by)
    VALUES (county, s, s, v_code, p_year, p_seq, p_category, p_channel::app.case_channel, p_title, p_description,
      p_location, p_address_enc, p_address_masked, p_people, p_amount_cents, p_group, p_risk::app.risk_grade,
      p_difficulty, p_lookup, actor)
    RETURNING id INTO v_id;
  FOR p IN
    SELECT * FROM ROWS FROM (jsonb_to_recordset(p_parties) AS (role text, kind text, name_enc text, name_masked text,
      id_number_enc text, id_number_index text, id_number_masked text, phone_enc text, phone_index text,
      phone_masked text, address_enc text, address_masked text, org_code text)) WITH ORDINALITY
      AS x (role, kind, name_enc, name_masked, id_number_enc, id_number_index, id_number_masked, phone_enc,
        phone_index, phone_masked, address_enc, address_masked, org_code, n)
    ORDER BY x.n
  LOOP
    INSERT INTO app.case_parties (county_code, case_id, role, kind, name_enc, name_masked, id_number_enc,
        id_number_index, id_number_masked, phone_enc, phone_index, phone_masked, address_enc, address_masked, org_code)
      VALUES (county, v_id, p.role::app.party_role, p.kind, decode(p.name_enc, 'hex'), p.name_masked,
        decode(p.id_number_enc, 'hex'), decode(p.id_number_index, 'hex'), p.id_number_masked,
        decode(p.phone_enc, 'hex'), decode(p.phone_index, 'hex'), p.phone_masked,
        decode(p.address_enc, 'hex'), p.address_masked, p.org_code);
  END LOOP;
  -- Repeat claimants: the same ID number in other cases the unit can see. A unit at county level or
  -- below sees its own county's cases only, so the lookup names the county (one shard on Citus);
  -- a city's or province's intake looks in every county it sees.
  IF length(s) >= 6 THEN
    FOR related IN
      SELECT DISTINCT cp.case_id FROM app.case_parties cp
      WHERE cp.county_code = county
        AND cp.id_number_index IN (SELECT decode(x ->> 'id_number_index', 'hex') FROM jsonb_array_elements(p_parties) x
                                   WHERE x ->> 'id_number_index' IS NOT NULL)
        AND cp.case_id <> v_id
      ORDER BY 1
    LOOP
      INSERT INTO app.case_links (county_code, case_id, related_id, reason)
        VALUES (county, v_id, related, 'repeat_claimant') ON CONFLICT DO NOTHING;
    END LOOP;
  ELSE
    FOR related IN
      SELECT DISTINCT cp.case_id FROM app.case_parties cp
      WHERE cp.id_number_index IN (SELECT decode(x ->> 'id_number_index', 'hex') FROM jsonb_array_elements(p_parties) x
                                   WHERE x ->> 'id_number_index' IS NOT NULL)
        AND cp.case_id <> v_id
      ORDER BY 1
    LOOP
      INSERT INTO app.case_links (county_code, case_id, related_id, reason)
        VALUES (county, v_id, related, 'repeat_claimant') ON CONFLICT DO NOTHING;
    END LOOP;
  END IF;
  FOR c IN
    SELECT * FROM ROWS FROM (jsonb_to_recordset(p_clocks) AS (stage text, policy_id uuid, policy_version integer,
      amount integer, unit text, yellow_share numeric, due_at timestamptz)) WITH ORDINALITY
      AS x (stage, policy_id, policy_version, amount, unit, yellow_share, due_at, n)
    ORDER BY x.n
  LOOP
    INSERT INTO app.case_deadlines (county_code, case_id, stage, owner_code, policy_id, policy_version, amount, unit,
        yellow_share, started_at, due_at, ref_id, basis, paused_since)
      VALUES (county, v_id, c.stage, s, c.policy_id, c.policy_version, c.amount, c.unit::app.deadline_unit,
        c.yellow_share, p_at, c.due_at, NULL, 'policy', NULL);
  END LOOP;
  INSERT INTO app.case_events (county_code, case_id, actor_id, actor_scope, kind, payload)
    VALUES (county, v_id, actor, s, 'case.registered', p_event);
  IF p_key IS NOT NULL THEN
    UPDATE app.idempotency_keys SET response = jsonb_build_object('id', v_id, 'code', v_code)
      WHERE county_code = county AND scope_code = s AND key = p_key;
  END IF;
  RETURN v_id;
END $$;

-- The event chain locks and advances its case by the case's county when the event carries it (on
-- Citus always: the coordinator routes the insert by it; a lookup by id alone is a query on every
-- shard, refused from a shard and with FOR UPDATE). An insert that leaves county_code to the
-- zzz_county_code trigger (which fires after this one) is looked up by id, on one PostgreSQL.
CREATE OR REPLACE FUNCTION app.case_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c record;
BEGIN
  -- The case row lock serialises appends to one case's chain.
  IF NEW.county_code IS NOT NULL THEN
    SELECT event_seq, last_hash INTO c FROM app.cases
      WHERE county_code = NEW.county_code AND id = NEW.case_id FOR UPDATE;
  ELSE
    SELECT event_seq, last_hash INTO c FROM app.cases WHERE id = NEW.case_id FOR UPDATE;
  END IF;
  IF NOT FOUND THEN RAISE EXCEPTION 'case not found' USING ERRCODE = 'foreign_key_violation'; END IF;
  NEW.seq := c.event_seq + 1;
  NEW.at := clock_timestamp();
  NEW.prev_hash := c.last_hash;
  NEW.hash := app.case_event_digest(NEW.prev_hash, NEW.case_id, NEW.seq, NEW.at, NEW.actor_id, NEW.kind, NEW.payload);
  IF NEW.county_code IS NOT NULL THEN
    UPDATE app.cases SET event_seq = NEW.seq, last_hash = NEW.hash WHERE county_code = NEW.county_code AND id = NEW.case_id;
  ELSE
    UPDATE app.cases SET event_seq = NEW.seq, last_hash = NEW.hash WHERE id = NEW.case_id;
  END IF;
  RETURN NEW;
END $$;
