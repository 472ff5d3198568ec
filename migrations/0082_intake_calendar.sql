-- Intake in two round trips again (issue 9 §5): since the working calendar (0047), a clock that
-- counts working days made `cases.register` read the unit's calendar entries between
-- app.intake_open and app.intake_record, a third round trip per intake (the deadline policies of
-- the generated province count first contact in working days, so every intake paid it).
-- app.intake_open now returns those entries too (`calendar`: the unit's and its ancestors', as
-- the service's unitCalendar reads them, under the same policy), whether or not a clock needs them:
-- one small index read inside the statement costs less than deciding (the rule in force is picked
-- by the service) and far less than a round trip.
-- The result type changes, so the function is dropped and made again with its grants.

DROP FUNCTION app.intake_open(integer, text, text, text);
CREATE FUNCTION app.intake_open(p_year integer, p_category text, p_key text, p_request_hash text)
RETURNS TABLE (seq integer, category_known boolean, prior_hash text, prior_response jsonb, rules jsonb,
  calendar jsonb)
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
      RETURN QUERY SELECT NULL::integer, NULL::boolean, k.request_hash, k.response, NULL::jsonb, NULL::jsonb
        FROM app.idempotency_keys k WHERE k.scope_code = s AND k.key = p_key;
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
  RETURN QUERY
    WITH counter AS (
      INSERT INTO app.case_counters AS c (scope_code, year, last) VALUES (s, p_year, 1)
      ON CONFLICT (scope_code, year) DO UPDATE SET last = c.last + 1
      RETURNING c.last)
    SELECT counter.last, true, NULL::text, NULL::jsonb,
      coalesce((SELECT jsonb_agg(jsonb_build_object('id', p.id, 'scopeCode', p.scope_code,
          'categoryCode', p.category_code, 'stage', p.stage, 'amount', p.amount, 'unit', p.unit,
          'yellowShare', p.yellow_share::float8, 'version', p.version))
        FROM app.deadline_policies p WHERE p.stage IN ('first_contact', 'resolution')), '[]'::jsonb),
      -- The calendar entries of the unit and its ancestors (a few dozen rows, one index read).
      coalesce((SELECT jsonb_agg(jsonb_build_object('date', d.day::text, 'workday', d.workday, 'name', d.name,
          'scopeCode', d.scope_code))
        FROM app.calendar_days d WHERE d.scope_code IN (SELECT app.ancestor_codes(s))), '[]'::jsonb)
    FROM counter;
END $$;
REVOKE ALL ON FUNCTION app.intake_open(integer, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.intake_open(integer, text, text, text) TO zz_app;
