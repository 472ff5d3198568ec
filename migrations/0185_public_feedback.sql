-- The citizen's side of the reporter's loop (issue 13 §3): a person who brought a case through a
-- public channel (walk-in, 12345, online, phone) sees its result on the lookup page (一码可查)
-- and confirms it or rejects it with a reason; a rejection sends the case back for rework (重办),
-- counted like any unsatisfied follow-up. The answer is a follow-up of its own method, `online`.

ALTER TABLE app.follow_ups DROP CONSTRAINT follow_ups_method_check;
ALTER TABLE app.follow_ups ADD CONSTRAINT follow_ups_method_check
  CHECK (method IN ('phone', 'visit', 'on_site', 'online'));

-- What the lookup page needs beyond the stages, for the code and phone digest that found the
-- case: the owning unit (the server acts there as the system actor public_lookup), whether the
-- case came through a public channel, the last result, the reworks, and whether the person
-- already answered this result. The result is the handler's outcome text; the stages stay
-- without any other free text.
CREATE FUNCTION auth.public_case_feedback(p_code text, p_digest bytea)
RETURNS TABLE (id uuid, tenant_id uuid, owner_code text, status app.case_state, public_channel boolean,
  outcome text, reworks integer, answered boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT c.id, t.id, c.owner_code::text, c.status,
    c.channel::text IN ('visit', 'hotline_12345', 'online', 'phone'),
    r.outcome,
    (SELECT count(*)::int FROM app.case_events e WHERE e.case_id = c.id AND e.kind = 'case.reopen'),
    r.at IS NOT NULL AND EXISTS (SELECT 1 FROM app.follow_ups f
      WHERE f.case_id = c.id AND f.method = 'online' AND f.at >= r.at)
  FROM app.cases c
  JOIN app.tenants t ON t.code = c.owner_code
  LEFT JOIN LATERAL (SELECT e.payload ->> 'outcome' AS outcome, e.at FROM app.case_events e
    WHERE e.case_id = c.id AND e.kind = 'case.resolve' ORDER BY e.seq DESC LIMIT 1) r ON true
  WHERE c.code = p_code AND c.lookup_digest = p_digest
$$;
ALTER FUNCTION auth.public_case_feedback(text, bytea) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.public_case_feedback(text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.public_case_feedback(text, bytea) TO zz_app;
GRANT SELECT ON app.follow_ups, app.tenants TO zz_auth;
CREATE POLICY follow_ups_auth ON app.follow_ups FOR SELECT TO zz_auth USING (true);
