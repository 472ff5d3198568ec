-- Deadlines, warnings and supervision (issue #5). Policies are set per unit, inherited down
-- the tree (the nearest unit's rule wins) and versioned: a new rule is a new row, and a
-- case keeps the version in force when its stage started.

CREATE TYPE app.deadline_unit AS ENUM ('hours', 'working_days', 'calendar_days');

CREATE TABLE app.deadline_policies (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code    text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  category_code text,
  stage         text NOT NULL CHECK (stage IN ('sign_for', 'first_contact', 'resolution', 'summons_acknowledgement',
                  'objection_window', 'follow_up')),
  amount        integer NOT NULL CHECK (amount BETWEEN 1 AND 3650),
  unit          app.deadline_unit NOT NULL,
  yellow_share  numeric(4, 3) NOT NULL DEFAULT 0.333 CHECK (yellow_share > 0 AND yellow_share < 1),
  version       integer NOT NULL,
  note          text CHECK (length(note) <= 200),
  created_by    uuid,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX deadline_policies_version_key
  ON app.deadline_policies (scope_code, coalesce(category_code, ''), stage, version);
SELECT app.apply_config_policies('app.deadline_policies', true);
-- Versioned history: rows are added, never changed or removed.
GRANT SELECT, INSERT (scope_code, category_code, stage, amount, unit, yellow_share, version, note, created_by)
  ON app.deadline_policies TO zz_app;

CREATE TABLE app.case_deadlines (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL REFERENCES app.cases (id),
  scope_code     text COLLATE "C" NOT NULL,
  county_code    text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  stage          text NOT NULL,
  owner_code     text COLLATE "C" NOT NULL,
  policy_id      uuid REFERENCES app.deadline_policies (id),
  policy_version integer NOT NULL,
  amount         integer NOT NULL,
  unit           app.deadline_unit NOT NULL,
  yellow_share   numeric(4, 3) NOT NULL,
  -- The clock starts at dispatch (escalation, assignment, summons), never at sign-for.
  started_at     timestamptz NOT NULL,
  due_at         timestamptz NOT NULL,
  paused_ms      bigint NOT NULL DEFAULT 0,
  paused_since   timestamptz,
  completed_at   timestamptz,
  colour         text NOT NULL DEFAULT 'blue' CHECK (colour IN ('blue', 'yellow', 'red')),
  ref_id         uuid
);
SELECT app.apply_case_child_policies('app.case_deadlines');
CREATE INDEX case_deadlines_open_idx ON app.case_deadlines (due_at) WHERE completed_at IS NULL;
CREATE INDEX case_deadlines_case_idx ON app.case_deadlines (case_id);
GRANT SELECT, INSERT (case_id, stage, owner_code, policy_id, policy_version, amount, unit, yellow_share, started_at,
  due_at, ref_id), UPDATE (due_at, paused_ms, paused_since, completed_at, colour) ON app.case_deadlines TO zz_app;

-- Supervision (督办): addressed to the owning tier, visible to its parent; an unanswered one
-- rises a level after its deadline (催办 → 通报).
CREATE TABLE app.supervisions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  case_id        uuid NOT NULL REFERENCES app.cases (id),
  scope_code     text COLLATE "C" NOT NULL,
  county_code    text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  deadline_id    uuid REFERENCES app.case_deadlines (id),
  addressed_to   text COLLATE "C" NOT NULL,
  level          text NOT NULL DEFAULT 'chase' CHECK (level IN ('chase', 'notice')),
  opened_by      text NOT NULL CHECK (opened_by IN ('system', 'leader')),
  opened_by_user uuid,
  instructions   text CHECK (length(instructions) <= 2000),
  due_at         timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
  answer         text CHECK (length(answer) <= 2000),
  answered_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  version        integer NOT NULL DEFAULT 1,
  CONSTRAINT supervisions_one_per_deadline UNIQUE (deadline_id)
);
SELECT app.apply_case_child_policies('app.supervisions');
CREATE INDEX supervisions_open_idx ON app.supervisions (due_at) WHERE status = 'open';
GRANT SELECT, INSERT (case_id, deadline_id, addressed_to, level, opened_by, opened_by_user, instructions, due_at),
  UPDATE (level, due_at, status, answer, answered_at, version) ON app.supervisions TO zz_app;

-- The roots of all deployments, for system jobs that scan each deployment in its own scope.
CREATE FUNCTION auth.deployment_roots() RETURNS TABLE (id uuid, code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT t.id, t.code::text FROM app.tenants t WHERE t.parent_id IS NULL AND t.status = 'active' ORDER BY t.code
$$;
ALTER FUNCTION auth.deployment_roots() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.deployment_roots() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.deployment_roots() TO zz_app;
