-- Which of the given mediators are booked in a time range, whatever unit booked them.
-- Why definer: a mediator of a township pool may be booked by a sibling village whose
-- bookings the caller cannot see; the answer is only the busy mediators' ids, no details.
CREATE FUNCTION auth.mediators_busy(p_ids uuid[], p_during tstzrange) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app AS $$
  SELECT DISTINCT bm.mediator_id FROM app.booking_mediators bm
  WHERE bm.mediator_id = ANY (p_ids) AND bm.active AND bm.during && p_during
$$;
ALTER FUNCTION auth.mediators_busy(uuid[], tstzrange) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.mediators_busy(uuid[], tstzrange) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.mediators_busy(uuid[], tstzrange) TO zz_app;
GRANT SELECT ON app.booking_mediators TO zz_auth;
CREATE POLICY booking_mediators_auth ON app.booking_mediators FOR SELECT TO zz_auth USING (true);
