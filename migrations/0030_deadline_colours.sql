-- Deadline colours kept in the rows, so that the scan touches only clocks that change and lists,
-- filters and counts read a stored colour instead of pulling every open clock (issue 9).
--
-- Each open, running clock stores its colour and `turns_at`, the instant its colour next
-- changes (blue → yellow when the yellow share of its time is left, yellow → red once it is
-- overdue). The scan picks the clocks whose `turns_at` has passed through a partial index and
-- updates only those. A clock's colour is recomputed here whenever its timing changes
-- (start, pause, resume, completion, a moved due time); between scans it stays as the last
-- scan saw it, so every reader sees the same colour the supervisions were opened on.
-- Each case carries the worst colour of its open, running clocks (`deadline_colour`).

-- The colour rule of packages/domain warningColour: red when overdue, yellow when at most
-- `share` of the allowed time is left (or the clock has no length), blue otherwise.
CREATE FUNCTION app.deadline_colour(p_started timestamptz, p_due timestamptz, p_share numeric, p_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_due < p_at THEN 'red'
    WHEN p_due <= p_started OR p_due - p_at <= (p_due - p_started) * p_share::float8 THEN 'yellow'
    ELSE 'blue' END
$$;

-- The instant a clock of the given colour changes colour next (null once red).
CREATE FUNCTION app.deadline_turns_at(p_colour text, p_started timestamptz, p_due timestamptz, p_share numeric)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_colour
    WHEN 'blue' THEN p_due - (p_due - p_started) * p_share::float8
    WHEN 'yellow' THEN p_due
    END
$$;

-- The code of a unit's parent (null for a province).
CREATE FUNCTION app.parent_code(p_code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE length(p_code) WHEN 12 THEN left(p_code, 9) WHEN 9 THEN left(p_code, 6) WHEN 6 THEN left(p_code, 4)
    WHEN 4 THEN left(p_code, 2) END
$$;

ALTER TABLE app.case_deadlines ADD COLUMN turns_at timestamptz;
ALTER TABLE app.cases ADD COLUMN deadline_colour text CHECK (deadline_colour IN ('blue', 'yellow', 'red'));

-- Why a trigger: the colour and the next turn follow from the clock's times, which several
-- services change (start, complete, pause, resume); computing them in one place keeps the
-- scan's index exact. A change of the colour alone (the scan's) is kept as given.
CREATE FUNCTION app.case_deadlines_timing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.completed_at IS NOT NULL OR NEW.paused_since IS NOT NULL THEN
    NEW.turns_at := NULL;
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.started_at IS DISTINCT FROM OLD.started_at OR NEW.due_at IS DISTINCT FROM OLD.due_at
     OR NEW.yellow_share IS DISTINCT FROM OLD.yellow_share OR OLD.paused_since IS NOT NULL
     OR OLD.completed_at IS NOT NULL THEN
    NEW.colour := app.deadline_colour(NEW.started_at, NEW.due_at, NEW.yellow_share, now());
  END IF;
  NEW.turns_at := app.deadline_turns_at(NEW.colour, NEW.started_at, NEW.due_at, NEW.yellow_share);
  RETURN NEW;
END $$;
CREATE TRIGGER case_deadlines_timing BEFORE INSERT OR UPDATE ON app.case_deadlines
  FOR EACH ROW EXECUTE FUNCTION app.case_deadlines_timing();

-- The worst colour of a case's open, running clocks (null when none runs).
CREATE FUNCTION app.case_worst_colour(p_case uuid) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT (array['blue', 'yellow', 'red'])[max(array_position(array['blue', 'yellow', 'red'], d.colour))]
  FROM app.case_deadlines d WHERE d.case_id = p_case AND d.completed_at IS NULL AND d.paused_since IS NULL
$$;

CREATE FUNCTION app.case_deadlines_follow_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE worst text := app.case_worst_colour(NEW.case_id);
BEGIN
  UPDATE app.cases SET deadline_colour = worst WHERE id = NEW.case_id AND deadline_colour IS DISTINCT FROM worst;
  RETURN NULL;
END $$;
CREATE TRIGGER case_deadlines_follow_case AFTER INSERT OR UPDATE OF colour, completed_at, paused_since
  ON app.case_deadlines FOR EACH ROW EXECUTE FUNCTION app.case_deadlines_follow_case();
GRANT UPDATE (deadline_colour) ON app.cases TO zz_app;

-- The scan's work list: running clocks by the instant they turn.
CREATE INDEX case_deadlines_turns_idx ON app.case_deadlines (turns_at) WHERE completed_at IS NULL AND paused_since IS NULL;

-- Brings the stored turning instants and the cases' colours in line with the clocks, after a
-- bulk load that wrote clocks with triggers disabled; with `p_recolour_at` it first recolours
-- every running clock as of that instant. Runs as the owner or a superuser, never at runtime.
CREATE FUNCTION app.refresh_deadline_state(p_recolour_at timestamptz DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF p_recolour_at IS NOT NULL THEN
    UPDATE app.case_deadlines SET colour = app.deadline_colour(started_at, due_at, yellow_share, p_recolour_at)
    WHERE completed_at IS NULL AND paused_since IS NULL
      AND colour IS DISTINCT FROM app.deadline_colour(started_at, due_at, yellow_share, p_recolour_at);
  END IF;
  UPDATE app.case_deadlines SET turns_at = app.deadline_turns_at(colour, started_at, due_at, yellow_share)
  WHERE completed_at IS NULL AND paused_since IS NULL
    AND turns_at IS DISTINCT FROM app.deadline_turns_at(colour, started_at, due_at, yellow_share);
  UPDATE app.case_deadlines SET turns_at = NULL
  WHERE turns_at IS NOT NULL AND (completed_at IS NOT NULL OR paused_since IS NOT NULL);
  UPDATE app.cases c SET deadline_colour = w.colour
  FROM (SELECT d.case_id, (array['blue', 'yellow', 'red'])[max(array_position(array['blue', 'yellow', 'red'], d.colour))] AS colour
        FROM app.case_deadlines d WHERE d.completed_at IS NULL AND d.paused_since IS NULL GROUP BY d.case_id) w
  WHERE c.id = w.case_id AND c.deadline_colour IS DISTINCT FROM w.colour;
  UPDATE app.cases c SET deadline_colour = NULL
  WHERE c.deadline_colour IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app.case_deadlines d
    WHERE d.case_id = c.id AND d.completed_at IS NULL AND d.paused_since IS NULL);
END $$;
REVOKE ALL ON FUNCTION app.refresh_deadline_state(timestamptz) FROM PUBLIC;

-- Everything derived from the case tables that triggers keep in step, rebuilt after a bulk load
-- (the generator calls it after COPY). Later migrations extend it with the rollups.
CREATE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- A superuser (the bulk loader) skips the row triggers: everything they keep is rebuilt here.
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    PERFORM set_config('session_replication_role', 'replica', true);
  END IF;
  PERFORM app.refresh_deadline_state(NULL);
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rollups() FROM PUBLIC;

-- Existing clocks: the owner sees rows only while RLS is not forced on it, inside this transaction.
ALTER TABLE app.cases NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_deadlines NO FORCE ROW LEVEL SECURITY;
SELECT app.refresh_deadline_state(now());
ALTER TABLE app.cases FORCE ROW LEVEL SECURITY;
ALTER TABLE app.case_deadlines FORCE ROW LEVEL SECURITY;
