-- Citus: the public lookup (一码可查) by county (issue 14 §6, infra/SCALE.md).
--
-- auth.public_case_lookup (0006) and auth.public_case_feedback (0185) were LANGUAGE sql functions
-- that found the case by its code alone and its events by case id. On Citus a LANGUAGE sql
-- function's parameters reach the distributed planner as parameters it cannot resolve ("could not
-- create distributed plan"), and the code alone names no shard. A case's code starts with its
-- unit's code (cases_code_shape: unit-year-number), whose first six digits are the case's county:
-- both now read the case and its rows under that county, in PL/pgSQL (each statement routed to
-- the case's shard). On one PostgreSQL the county filter is implied by the code; the answers are
-- the same. Same signatures, results, owner and grants.

CREATE OR REPLACE FUNCTION auth.public_case_lookup(p_code text, p_digest bytea)
RETURNS TABLE (code text, status app.case_state, category text, registered_at timestamptz, accepted_at timestamptz,
  resolved_at timestamptz, closed_at timestamptz, stages jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, ref, pg_temp AS $$
DECLARE
  county constant text := left(split_part(p_code, '-', 1), 6);
BEGIN
  RETURN QUERY SELECT c.code, c.status, coalesce(rc.name, '其他'), c.registered_at, c.accepted_at, c.resolved_at,
    c.closed_at,
    coalesce((SELECT jsonb_agg(jsonb_build_object('kind', e.kind, 'at', e.at) ORDER BY e.seq)
      FROM app.case_events e WHERE e.county_code = c.county_code AND e.case_id = c.id AND e.kind LIKE 'case.%'), '[]')
  FROM app.cases c LEFT JOIN ref.case_categories rc ON rc.code = c.category_code
  WHERE c.county_code = county AND c.code = p_code AND c.lookup_digest = p_digest;
END $$;

CREATE OR REPLACE FUNCTION auth.public_case_feedback(p_code text, p_digest bytea)
RETURNS TABLE (id uuid, tenant_id uuid, owner_code text, status app.case_state, public_channel boolean,
  outcome text, reworks integer, answered boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  county constant text := left(split_part(p_code, '-', 1), 6);
BEGIN
  RETURN QUERY SELECT c.id, t.id, c.owner_code::text, c.status,
    c.channel::text IN ('visit', 'hotline_12345', 'online', 'phone'),
    r.outcome,
    (SELECT count(*)::int FROM app.case_events e
      WHERE e.county_code = c.county_code AND e.case_id = c.id AND e.kind = 'case.reopen'),
    r.at IS NOT NULL AND EXISTS (SELECT 1 FROM app.follow_ups f
      WHERE f.county_code = c.county_code AND f.case_id = c.id AND f.method = 'online' AND f.at >= r.at)
  FROM app.cases c
  JOIN app.tenants t ON t.code = c.owner_code
  LEFT JOIN LATERAL (SELECT e.payload ->> 'outcome' AS outcome, e.at FROM app.case_events e
    WHERE e.county_code = c.county_code AND e.case_id = c.id AND e.kind = 'case.resolve'
    ORDER BY e.seq DESC LIMIT 1) r ON true
  WHERE c.county_code = county AND c.code = p_code AND c.lookup_digest = p_digest;
END $$;
