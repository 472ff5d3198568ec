-- run-as: admin
-- References across tenants (issue 8 §5). A row that names another row (a booking its case,
-- a summons its department, a case its room…) must name one its own unit may use:
--   1. every reference column has a foreign key (bookings.case_id had none: a random UUID or
--      another deployment's case id was stored);
--   2. one trigger, app.check_references, checks each reference on insert and whenever it
--      changes: the target must be visible to the writer (it reads under the writer's RLS,
--      so a sibling's or another deployment's row is "not found", exactly like a missing one)
--      AND the two rows' division codes must stand in the relation the reference promises
--      (a booking's case lies in the booking unit's subtree, a summons' department belongs
--      to a unit on the case's path…), which holds whoever writes, RLS or not;
--   3. deactivated rooms, mediators, departments, windows and committees cannot be newly
--      linked (booked, summoned, routed to);
--   4. zz_app loses DELETE on the configuration tables the API never deletes from, so a
--      "still referenced" foreign-key violation can only come from removing a department.
--
-- Runs as the administrator only for step 0 (rows stored before this migration that break the
-- new rules; FORCEd RLS hides them from zz_owner); everything else runs as zz_owner.

-- 0. Bookings that point at a case that does not exist, or at one outside the booking unit's
--    subtree, lose that link (the booking itself stays).
DO $$
DECLARE n integer;
BEGIN
  UPDATE app.bookings b SET case_id = NULL
  WHERE b.case_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM app.cases c WHERE c.id = b.case_id
      AND (starts_with(c.scope_code, b.scope_code) OR starts_with(coalesce(c.handler_code, ''), b.scope_code)));
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN RAISE NOTICE 'unlinked % bookings from cases they may not reference', n; END IF;
  UPDATE app.notifications SET user_id = NULL
  WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app.users u WHERE u.id = user_id);
  DELETE FROM app.notification_reads r WHERE NOT EXISTS (SELECT 1 FROM app.users u WHERE u.id = r.user_id);
  UPDATE app.idempotency_keys SET user_id = NULL
  WHERE user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM app.users u WHERE u.id = user_id);
END $$;

SET LOCAL ROLE zz_owner;

-- 1. Foreign keys for the reference columns that had none.
ALTER TABLE app.bookings ADD CONSTRAINT bookings_case_id_fkey FOREIGN KEY (case_id) REFERENCES app.cases (id);
ALTER TABLE app.notifications ADD CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users (id);
ALTER TABLE app.notification_reads
  ADD CONSTRAINT notification_reads_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users (id);
ALTER TABLE app.idempotency_keys
  ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES app.users (id);
CREATE INDEX bookings_case_idx ON app.bookings (case_id) WHERE case_id IS NOT NULL;

-- 2. The reference check. Each trigger argument is one reference:
--      '<column> <target table> <relation> <row code columns, comma-separated> [active]'
--    Relations, between the target's codes (its scope_code; a case also its handler_code) and
--    the row's codes named in the argument:
--      same    the target belongs to the row's unit;
--      within  the target lies in the row's unit's subtree (a booking's case, a liaison user);
--      above   the target belongs to the row's unit or an ancestor of it (for a case: a unit on
--              the case's path, i.e. one that may act on it: its rooms, departments, windows);
--      pool    within or above (a mediator pool: own, ancestors' and descendants' pools);
--      case    the target hangs off the same case (a session's booking, a supervision's deadline);
--      visible nothing beyond the writer's RLS (a case marked a duplicate of another the
--              writer sees: an ancestor may link two branches).
--    `active` refuses a deactivated target. The error names the foreign key (a missing, foreign
--    or unrelated target all read "not found": no oracle), or `<table>_<column>_active`.
--    Why invoker rights: reading the target under the writer's RLS is half of the rule; the
--    other half (the relation) is computed here from the two rows, not from the caller.
CREATE FUNCTION app.check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  spec text[]; col text; target regclass; relation text; row_cols text[]; need_active boolean;
  id_type text; val text; old_val text; t record; row_codes text[]; code text; ok boolean;
BEGIN
  FOR i IN 0 .. TG_NARGS - 1 LOOP
    spec := string_to_array(TG_ARGV[i], ' ');
    col := spec[1];
    target := spec[2]::regclass;
    relation := spec[3];
    row_cols := string_to_array(coalesce(spec[4], ''), ',');
    need_active := coalesce(spec[5], '') = 'active';
    EXECUTE format('SELECT ($1).%I::text', col) USING NEW INTO val;
    CONTINUE WHEN val IS NULL;
    IF TG_OP = 'UPDATE' THEN
      EXECUTE format('SELECT ($1).%I::text', col) USING OLD INTO old_val;
      CONTINUE WHEN old_val IS NOT DISTINCT FROM val;
    END IF;
    SELECT format_type(a.atttypid, a.atttypmod) INTO id_type FROM pg_attribute a
      WHERE a.attrelid = target AND a.attname = 'id';
    EXECUTE format('SELECT scope_code::text AS s, %s AS h, %s AS a, %s AS c FROM %s WHERE id = CAST($1 AS %s)',
      CASE WHEN target = 'app.cases'::regclass THEN 'handler_code::text' ELSE 'NULL::text' END,
      CASE WHEN need_active THEN 'active' ELSE 'true' END,
      CASE WHEN relation = 'case' THEN 'case_id' ELSE 'NULL::uuid' END,
      target, id_type) USING val INTO t;
    ok := t.s IS NOT NULL;
    IF ok AND relation = 'case' THEN
      EXECUTE 'SELECT ($1).case_id = $2' USING NEW, t.c INTO ok;
    ELSIF ok AND relation <> 'visible' THEN
      row_codes := ARRAY[]::text[];
      FOREACH code IN ARRAY row_cols LOOP
        EXECUTE format('SELECT ($1).%I::text', code) USING NEW INTO old_val;
        IF old_val IS NOT NULL THEN row_codes := row_codes || old_val; END IF;
      END LOOP;
      SELECT coalesce(bool_or(CASE relation
          WHEN 'same' THEN tc = rc
          WHEN 'within' THEN starts_with(tc, rc)
          WHEN 'above' THEN starts_with(rc, tc)
          WHEN 'pool' THEN starts_with(tc, rc) OR starts_with(rc, tc)
        END), false) INTO ok
      FROM unnest(array_remove(ARRAY[t.s, t.h], NULL)) tc, unnest(row_codes) rc;
    END IF;
    IF NOT coalesce(ok, false) THEN
      RAISE EXCEPTION '% not found', col USING ERRCODE = 'foreign_key_violation',
        CONSTRAINT = TG_TABLE_NAME || '_' || col || '_fkey', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = col;
    END IF;
    IF NOT t.a THEN
      RAISE EXCEPTION '% is deactivated', col USING ERRCODE = 'check_violation',
        CONSTRAINT = TG_TABLE_NAME || '_' || col || '_active', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA, COLUMN = col;
    END IF;
  END LOOP;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION app.check_references() FROM PUBLIC;

-- The triggers are named zz_references so that they fire after the BEFORE triggers that set
-- the row's codes (…_scope, …_inherit_codes: PostgreSQL fires them in name order). They replace
-- the *_visible and *_same_case triggers (0004, 0006, 0007, 0012), whose rules they include;
-- app.require_visible and app.require_same_case stay for the holes suite, which replays them.
DROP TRIGGER stationing_liaisons_visible ON app.stationing_liaisons;
DROP TRIGGER service_windows_visible ON app.service_windows;
DROP TRIGGER mediators_visible ON app.mediators;
DROP TRIGGER mediation_rooms_visible ON app.mediation_rooms;
DROP TRIGGER committee_members_visible ON app.committee_members;
DROP TRIGGER booking_mediators_visible ON app.booking_mediators;
DROP TRIGGER cases_visible ON app.cases;
DROP TRIGGER case_links_visible ON app.case_links;
DROP TRIGGER case_summons_visible ON app.case_summons;
DROP TRIGGER notifications_visible ON app.notifications;
DROP TRIGGER mediation_sessions_same_case ON app.mediation_sessions;
DROP TRIGGER judicial_confirmations_same_case ON app.judicial_confirmations;
DROP TRIGGER supervisions_same_case ON app.supervisions;

CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF user_id ON app.stationing_liaisons
  FOR EACH ROW EXECUTE FUNCTION app.check_references('user_id app.users within scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF stationing_id ON app.service_windows
  FOR EACH ROW EXECUTE FUNCTION app.check_references('stationing_id app.stationings same scope_code active');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF user_id ON app.mediators
  FOR EACH ROW EXECUTE FUNCTION app.check_references('user_id app.users within scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF chief_mediator_id ON app.mediation_rooms
  FOR EACH ROW EXECUTE FUNCTION app.check_references('chief_mediator_id app.mediators pool scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF mediator_id ON app.committee_members
  FOR EACH ROW EXECUTE FUNCTION app.check_references('mediator_id app.mediators pool scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF room_id, case_id ON app.bookings
  FOR EACH ROW EXECUTE FUNCTION app.check_references('room_id app.mediation_rooms same scope_code active',
    'case_id app.cases within scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF mediator_id ON app.booking_mediators
  FOR EACH ROW EXECUTE FUNCTION app.check_references('mediator_id app.mediators pool scope_code active');
CREATE TRIGGER zz_references
  BEFORE INSERT OR UPDATE OF mediator_id, room_id, window_id, committee_id, duplicate_of, leader_id ON app.cases
  FOR EACH ROW EXECUTE FUNCTION app.check_references(
    'mediator_id app.mediators pool scope_code,handler_code active',
    'room_id app.mediation_rooms above scope_code,handler_code active',
    'window_id app.service_windows above scope_code,handler_code active',
    'committee_id app.mediation_committees above scope_code,handler_code active',
    'duplicate_of app.cases visible',
    'leader_id app.users above scope_code,handler_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF related_id ON app.case_links
  FOR EACH ROW EXECUTE FUNCTION app.check_references('related_id app.cases visible');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF stationing_id ON app.case_summons
  FOR EACH ROW EXECUTE FUNCTION app.check_references('stationing_id app.stationings above scope_code,handler_code active');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF booking_id ON app.mediation_sessions
  FOR EACH ROW EXECUTE FUNCTION app.check_references('booking_id app.bookings case');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF agreement_id ON app.judicial_confirmations
  FOR EACH ROW EXECUTE FUNCTION app.check_references('agreement_id app.agreements case');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF policy_id ON app.case_deadlines
  FOR EACH ROW EXECUTE FUNCTION app.check_references('policy_id app.deadline_policies above owner_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF deadline_id ON app.supervisions
  FOR EACH ROW EXECUTE FUNCTION app.check_references('deadline_id app.case_deadlines case');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF case_id, user_id ON app.notifications
  FOR EACH ROW EXECUTE FUNCTION app.check_references('case_id app.cases within scope_code',
    'user_id app.users same scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF notification_id, user_id ON app.notification_reads
  FOR EACH ROW EXECUTE FUNCTION app.check_references('notification_id app.notifications same scope_code',
    'user_id app.users same scope_code');
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF user_id ON app.idempotency_keys
  FOR EACH ROW EXECUTE FUNCTION app.check_references('user_id app.users same scope_code');

-- 4. The API removes stationed departments (and the rows hanging off them), never rooms,
--    mediators, windows, committees, bookings or department kinds: those are deactivated or
--    cancelled, so they stay referable from the cases and bookings that used them.
REVOKE DELETE ON app.department_kinds, app.service_windows, app.mediators, app.mediation_rooms,
  app.mediation_committees, app.bookings, app.booking_mediators FROM zz_app;
