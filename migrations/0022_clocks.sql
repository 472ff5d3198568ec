-- run-as: admin
-- Clocks the workflow promises (issue 8 §6).
--   1. A clock may be set by a person instead of a policy: the deadline given with an
--      assign-down (交办) and the hours a clerk gives a summons are clocks like any other
--      (basis 'instruction'), coloured and supervised by the same scan.
--   2. A case's duty clocks (first contact, resolution, follow-up) follow its owner: a handover
--      closes the old owner's segment (handed_over_to) and opens one for the new owner.
--   3. app.case_holdings: one row per period a unit held a case, kept by the database on every
--      change of owner or end of the case, so the leaders' cockpit can say how long each tier
--      held it without replaying the path.
--   4. A session's outcome cannot be recorded before the session (China day), nor an agreement
--      be signed on a day still to come.
-- Runs as the administrator only to backfill the holdings of existing cases (FORCEd RLS hides
-- them from zz_owner); everything else runs as zz_owner.

SET LOCAL ROLE zz_owner;

-- 1, 2. Clocks set by a person, and segments closed by a handover.
ALTER TABLE app.case_deadlines
  ADD COLUMN basis text NOT NULL DEFAULT 'policy' CHECK (basis IN ('policy', 'instruction')),
  ADD COLUMN handed_over_to text COLLATE "C",
  ADD CONSTRAINT case_deadlines_due_after_start CHECK (due_at >= started_at),
  ADD CONSTRAINT case_deadlines_handover_closes CHECK (handed_over_to IS NULL OR completed_at IS NOT NULL);
GRANT INSERT (basis, paused_since), UPDATE (handed_over_to) ON app.case_deadlines TO zz_app;
CREATE INDEX case_deadlines_owner_open_idx ON app.case_deadlines (case_id, stage) WHERE completed_at IS NULL;

-- 3. Who held a case when. Written only by the trigger below (zz_app may read, never write).
CREATE TABLE app.case_holdings (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id     uuid NOT NULL REFERENCES app.cases (id),
  scope_code  text COLLATE "C" NOT NULL,
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  holder_code text COLLATE "C" NOT NULL,
  held_from   timestamptz NOT NULL,
  held_until  timestamptz,
  -- handover: the case moved to another unit; finished: it was closed, cancelled or merged.
  ended       text CHECK (ended IN ('handover', 'finished')),
  CONSTRAINT case_holdings_period CHECK (held_until IS NULL OR held_until >= held_from),
  CONSTRAINT case_holdings_ended CHECK ((held_until IS NULL) = (ended IS NULL))
);
SELECT app.apply_case_child_policies('app.case_holdings');
CREATE UNIQUE INDEX case_holdings_one_open ON app.case_holdings (case_id) WHERE held_until IS NULL;
CREATE INDEX case_holdings_case_idx ON app.case_holdings (case_id, held_from);
GRANT SELECT ON app.case_holdings TO zz_app;
GRANT SELECT, INSERT, UPDATE ON app.case_holdings TO zz_auth;
CREATE POLICY case_holdings_auth ON app.case_holdings FOR ALL TO zz_auth USING (true) WITH CHECK (true);

-- Why definer rights: zz_app must not write holdings itself (they are evidence for the
-- cockpit's "how long each tier held it"). The function takes every value from the case row
-- the caller was just allowed to insert or update (the cases policies decided that), so it
-- writes nothing the caller could not see.
CREATE FUNCTION auth.cases_track_holding() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  finished constant app.case_state[] := ARRAY['closed', 'archived', 'cancelled', 'duplicate']::app.case_state[];
  was_done boolean;
  is_done boolean := NEW.status = ANY (finished);
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO app.case_holdings (case_id, holder_code, held_from) VALUES (NEW.id, NEW.owner_code, NEW.registered_at);
    RETURN NULL;
  END IF;
  was_done := OLD.status = ANY (finished);
  IF NEW.handler_code IS DISTINCT FROM OLD.handler_code THEN
    UPDATE app.case_holdings SET handler_code = NEW.handler_code WHERE case_id = NEW.id;
  END IF;
  IF (NEW.owner_code IS DISTINCT FROM OLD.owner_code AND NOT was_done) OR (is_done AND NOT was_done) THEN
    UPDATE app.case_holdings SET held_until = now(), ended = CASE WHEN is_done THEN 'finished' ELSE 'handover' END
      WHERE case_id = NEW.id AND held_until IS NULL;
  END IF;
  IF NOT is_done AND (was_done OR NEW.owner_code IS DISTINCT FROM OLD.owner_code) THEN
    INSERT INTO app.case_holdings (case_id, holder_code, held_from) VALUES (NEW.id, NEW.owner_code, now());
  END IF;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.cases_track_holding() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.cases_track_holding() FROM PUBLIC;
CREATE TRIGGER cases_track_holding AFTER INSERT OR UPDATE OF owner_code, status, handler_code ON app.cases
  FOR EACH ROW EXECUTE FUNCTION auth.cases_track_holding();

-- 4. Nothing is recorded as having happened on a day still to come (China time).
CREATE FUNCTION app.not_in_the_future() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE today constant date := (now() AT TIME ZONE 'Asia/Shanghai')::date;
BEGIN
  -- Separate IFs: PL/pgSQL resolves NEW.<field> even behind a false AND.
  IF TG_TABLE_NAME = 'mediation_sessions' THEN
    IF NEW.outcome IS NOT NULL AND (NEW.starts_at AT TIME ZONE 'Asia/Shanghai')::date > today THEN
      RAISE EXCEPTION 'the session has not taken place yet' USING ERRCODE = 'check_violation',
        CONSTRAINT = 'mediation_sessions_outcome_after_start', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
  ELSIF TG_TABLE_NAME = 'agreements' THEN
    IF NEW.signed_on > today THEN
      RAISE EXCEPTION 'an agreement cannot be signed in the future' USING ERRCODE = 'check_violation',
        CONSTRAINT = 'agreements_signed_on_not_in_future', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER mediation_sessions_not_in_the_future BEFORE INSERT OR UPDATE OF outcome, starts_at ON app.mediation_sessions
  FOR EACH ROW EXECUTE FUNCTION app.not_in_the_future();
CREATE TRIGGER agreements_not_in_the_future BEFORE INSERT OR UPDATE OF signed_on ON app.agreements
  FOR EACH ROW EXECUTE FUNCTION app.not_in_the_future();

-- The holdings of cases that have none, replayed from their hops (escalate, assign-down and
-- return change the owner), ended at the close for finished cases. Used once here for the cases
-- stored before this migration, and by bulk loaders that write with triggers off (the province
-- generator); run by an administrator (it must see every case).
CREATE FUNCTION app.replay_case_holdings() RETURNS bigint LANGUAGE sql AS $$
  WITH inserted AS (
    INSERT INTO app.case_holdings (case_id, scope_code, handler_code, holder_code, held_from, held_until, ended)
    SELECT p.case_id, c.scope_code, c.handler_code, p.holder, p.since,
      coalesce(p.next_at, CASE WHEN c.status IN ('closed', 'archived', 'cancelled', 'duplicate')
        THEN greatest(coalesce(c.closed_at, c.updated_at), p.since) END),
      CASE WHEN p.next_at IS NOT NULL THEN 'handover'
        WHEN c.status IN ('closed', 'archived', 'cancelled', 'duplicate') THEN 'finished' END
    FROM (
      SELECT x.case_id, x.holder, x.since, lead(x.since) OVER (PARTITION BY x.case_id ORDER BY x.since, x.n) AS next_at
      FROM (
        SELECT c.id AS case_id, c.scope_code AS holder, c.registered_at AS since, 0::bigint AS n FROM app.cases c
        UNION ALL
        SELECT h.case_id, h.to_code, h.at, row_number() OVER (PARTITION BY h.case_id ORDER BY h.at)
        FROM app.case_hops h WHERE h.kind IN ('escalate', 'assign_down', 'return')
      ) x
    ) p JOIN app.cases c ON c.id = p.case_id
    WHERE NOT EXISTS (SELECT 1 FROM app.case_holdings e WHERE e.case_id = p.case_id)
    RETURNING 1
  )
  SELECT count(*) FROM inserted
$$;
REVOKE ALL ON FUNCTION app.replay_case_holdings() FROM PUBLIC;

RESET ROLE;
SELECT app.replay_case_holdings();

-- Open duty clocks of cases that moved on before this migration follow their owner from now,
-- keeping their due time; the old segment is closed as handed over.
WITH moved AS (
  UPDATE app.case_deadlines d SET completed_at = now(), handed_over_to = c.owner_code,
    paused_ms = d.paused_ms + coalesce((extract(epoch from now() - d.paused_since) * 1000)::bigint, 0),
    paused_since = NULL
  FROM app.cases c
  WHERE c.id = d.case_id AND d.completed_at IS NULL AND d.stage IN ('first_contact', 'resolution', 'follow_up')
    AND d.owner_code <> c.owner_code
  RETURNING d.case_id, d.stage, c.owner_code AS owner, d.policy_version, d.amount, d.unit, d.yellow_share, d.due_at,
    d.basis, c.status
)
INSERT INTO app.case_deadlines (case_id, stage, owner_code, policy_version, amount, unit, yellow_share, started_at,
  due_at, basis, paused_since)
SELECT case_id, stage, owner, policy_version, amount, unit, yellow_share, now(), greatest(due_at, now()), basis,
  CASE WHEN status = 'on_hold' THEN now() END
FROM moved;
