-- Intake at the database's pace (issue 9, item 5).
--
-- `cases.register` sent ~13 statements one after the other (each, unnamed, described in a
-- round trip of its own before it ran) plus two for the session. Now an intake is two round
-- trips of its tenant transaction, each one statement behind BEGIN/settings or before COMMIT:
--
--   1. app.intake_open: claims the Idempotency-Key (a parallel retry waits on the key's row and
--      gets the first answer), checks the category, takes the next gapless number of the unit and
--      year, and returns the deadline rules the unit may inherit (for the clocks);
--   2. app.intake_record: the case row, its parties, repeat-claimant links, its first clocks,
--      the first timeline event (hash chain by the existing trigger) and the key's answer.
--
-- Between the two the service computes what only it can: the lookup digest (a keyed HMAC of the
-- code it just got), the parties' ciphertexts and blind indexes, and each clock's due time on
-- the official working-day calendar. Every write goes through the same tables, columns, grants,
-- policies, triggers and constraints as before (SECURITY INVOKER: as zz_app, under RLS); the
-- rollup, figure, holding, colour and reference triggers are unchanged. A failure anywhere rolls
-- the whole transaction back, the number included, so codes stay gapless.
--
-- The session check also becomes one round trip: auth.session_validate says whether the idle
-- window is due to slide (touch_due), and the API calls auth.session_touch only then (it wrote
-- at most every 30 seconds anyway). Revocation is unchanged: every request reads the session.

CREATE FUNCTION app.intake_open(p_year integer, p_category text, p_key text, p_request_hash text)
RETURNS TABLE (seq integer, category_known boolean, prior_hash text, prior_response jsonb, rules jsonb)
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, app, ref, pg_temp AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  claimed boolean := true;
BEGIN
  IF p_key IS NOT NULL THEN
    INSERT INTO app.idempotency_keys (scope_code, key, user_id, request_hash)
      VALUES (s, p_key, nullif(current_setting('app.user_id', true), '')::uuid, p_request_hash)
      ON CONFLICT DO NOTHING;
    claimed := FOUND;
    IF NOT claimed THEN
      RETURN QUERY SELECT NULL::integer, NULL::boolean, k.request_hash, k.response, NULL::jsonb
        FROM app.idempotency_keys k WHERE k.scope_code = s AND k.key = p_key;
      IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::integer, NULL::boolean, NULL::text, NULL::jsonb, NULL::jsonb;
      END IF;
      RETURN;
    END IF;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ref.case_categories c WHERE c.code = p_category
                 UNION ALL SELECT 1 FROM app.case_categories c WHERE c.code = p_category AND c.active) THEN
    RETURN QUERY SELECT NULL::integer, false, NULL::text, NULL::jsonb, NULL::jsonb;
    RETURN;
  END IF;
  RETURN QUERY
    WITH counter AS (
      INSERT INTO app.case_counters AS c (scope_code, year, last) VALUES (s, p_year, 1)
      ON CONFLICT (scope_code, year) DO UPDATE SET last = c.last + 1
      RETURNING c.last)
    SELECT counter.last, true, NULL::text, NULL::jsonb,
      coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'scopeCode', p.scope_code,
          'categoryCode', p.category_code, 'stage', p.stage, 'amount', p.amount, 'unit', p.unit,
          'yellowShare', p.yellow_share::float8, 'version', p.version))
        FROM app.deadline_policies p WHERE p.stage IN ('first_contact', 'resolution')), '[]'::jsonb)
    FROM counter;
END $$;
REVOKE ALL ON FUNCTION app.intake_open(integer, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.intake_open(integer, text, text, text) TO zz_app;

-- p_parties: [{role, kind, name_enc, name_masked, id_number_enc, id_number_index, id_number_masked,
--   phone_enc, phone_index, phone_masked, address_enc, address_masked, org_code}] (bytea as hex);
-- p_clocks: [{stage, policy_id, policy_version, amount, unit, yellow_share, due_at}], all started
-- at p_at. Returns the case's id.
CREATE FUNCTION app.intake_record(p_year integer, p_seq integer, p_category text, p_channel text, p_title text,
  p_description text, p_location text, p_address_enc bytea, p_address_masked text, p_people integer,
  p_amount_cents bigint, p_group boolean, p_risk text, p_difficulty text, p_lookup bytea, p_parties jsonb,
  p_clocks jsonb, p_at timestamptz, p_event jsonb, p_key text)
RETURNS uuid
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, app, ref, pg_temp AS $$
DECLARE
  s constant text := nullif(current_setting('app.scope', true), '');
  actor constant uuid := nullif(current_setting('app.user_id', true), '')::uuid;
  v_code constant text := s || '-' || p_year || '-' || lpad(p_seq::text, 6, '0');
  v_id uuid;
BEGIN
  INSERT INTO app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title, description,
      location_code, address_enc, address_masked, people_count, amount_cents, group_dispute, risk_grade, difficulty,
      lookup_digest, registered_by)
    VALUES (s, s, v_code, p_year, p_seq, p_category, p_channel::app.case_channel, p_title, p_description,
      p_location, p_address_enc, p_address_masked, p_people, p_amount_cents, p_group, p_risk::app.risk_grade,
      p_difficulty, p_lookup, actor)
    RETURNING id INTO v_id;
  INSERT INTO app.case_parties (case_id, role, kind, name_enc, name_masked, id_number_enc, id_number_index,
      id_number_masked, phone_enc, phone_index, phone_masked, address_enc, address_masked, org_code)
    SELECT v_id, p.role::app.party_role, p.kind, decode(p.name_enc, 'hex'), p.name_masked,
      decode(p.id_number_enc, 'hex'), decode(p.id_number_index, 'hex'), p.id_number_masked,
      decode(p.phone_enc, 'hex'), decode(p.phone_index, 'hex'), p.phone_masked,
      decode(p.address_enc, 'hex'), p.address_masked, p.org_code
    FROM ROWS FROM (jsonb_to_recordset(p_parties) AS (role text, kind text, name_enc text, name_masked text,
      id_number_enc text, id_number_index text, id_number_masked text, phone_enc text, phone_index text,
      phone_masked text, address_enc text, address_masked text, org_code text)) WITH ORDINALITY
      AS p (role, kind, name_enc, name_masked, id_number_enc, id_number_index, id_number_masked, phone_enc,
        phone_index, phone_masked, address_enc, address_masked, org_code, n)
    ORDER BY p.n;
  -- Repeat claimants: the same ID number in other cases the unit can see.
  INSERT INTO app.case_links (case_id, related_id, reason)
    SELECT DISTINCT v_id, cp.case_id, 'repeat_claimant' FROM app.case_parties cp
    WHERE cp.id_number_index IN (SELECT decode(x ->> 'id_number_index', 'hex') FROM jsonb_array_elements(p_parties) x
                                 WHERE x ->> 'id_number_index' IS NOT NULL)
      AND cp.case_id <> v_id
    ON CONFLICT DO NOTHING;
  INSERT INTO app.case_deadlines (case_id, stage, owner_code, policy_id, policy_version, amount, unit, yellow_share,
      started_at, due_at, ref_id, basis, paused_since)
    SELECT v_id, c.stage, s, c.policy_id, c.policy_version, c.amount, c.unit::app.deadline_unit, c.yellow_share,
      p_at, c.due_at, NULL, 'policy', NULL
    FROM ROWS FROM (jsonb_to_recordset(p_clocks) AS (stage text, policy_id uuid, policy_version integer,
      amount integer, unit text, yellow_share numeric, due_at timestamptz)) WITH ORDINALITY
      AS c (stage, policy_id, policy_version, amount, unit, yellow_share, due_at, n)
    ORDER BY c.n;
  INSERT INTO app.case_events (case_id, actor_id, actor_scope, kind, payload)
    VALUES (v_id, actor, s, 'case.registered', p_event);
  IF p_key IS NOT NULL THEN
    UPDATE app.idempotency_keys SET response = jsonb_build_object('id', v_id, 'code', v_code)
      WHERE scope_code = s AND key = p_key;
  END IF;
  RETURN v_id;
END $$;
REVOKE ALL ON FUNCTION app.intake_record(integer, integer, text, text, text, text, text, bytea, text, integer, bigint,
  boolean, text, text, bytea, jsonb, jsonb, timestamptz, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.intake_record(integer, integer, text, text, text, text, text, bytea, text, integer, bigint,
  boolean, text, text, bytea, jsonb, jsonb, timestamptz, jsonb, text) TO zz_app;

-- Sessions: one round trip per request (see above).
DROP FUNCTION auth.session_validate(text, interval, interval);
CREATE FUNCTION auth.session_validate(p_id text, p_idle interval, p_absolute interval)
RETURNS TABLE (secret_hash bytea, session_created_at timestamptz, user_id uuid,
  tenant_id uuid, scope_code text, username text, display_name text, roles text[],
  must_change_password boolean, tenant_name text, tenant_level app.tenant_level,
  root_code text, totp_enabled boolean, deployment_requires_totp boolean, touch_due boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, auth, pg_temp AS $$
DECLARE s auth.sessions;
BEGIN
  SELECT * INTO s FROM auth.sessions WHERE id = p_id;
  IF NOT FOUND THEN RETURN; END IF;
  IF s.last_active_at + p_idle <= now() OR s.created_at + p_absolute <= now() THEN
    DELETE FROM auth.sessions WHERE id = p_id;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT s.secret_hash, s.created_at, u.id, u.tenant_id, u.scope_code::text, u.username,
           u.display_name, u.roles, u.must_change_password, t.name, t.level, t.root_code::text,
           u.totp_key IS NOT NULL AND u.totp_enabled_at IS NOT NULL,
           coalesce((SELECT r.require_totp FROM app.tenants r WHERE r.code = t.root_code), false),
           -- auth.session_touch's own condition: it writes at most every 30 seconds.
           s.last_active_at < now() - interval '30 seconds'
    FROM app.users u LEFT JOIN app.tenants t ON t.id = u.tenant_id
    WHERE u.id = s.user_id AND u.status = 'active'
      AND (u.tenant_id IS NULL OR NOT auth.scope_blocked(u.scope_code));
END $$;
ALTER FUNCTION auth.session_validate(text, interval, interval) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.session_validate(text, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.session_validate(text, interval, interval) TO zz_app;
