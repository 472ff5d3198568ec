-- Online booking (网上预约, issue 13 §6): a person books a visit at a service window or a mediation
-- slot in a room of a centre, from a public page without signing in; the centre's clerk receives
-- the person (接待) and the booking becomes a registered case (channel `online`).
--
-- Kept apart from app.bookings (0004) on purpose: that table is a room's occupation by a case's
-- mediation sessions (staff, ranges of any length, mediators); an appointment is a person's seat
-- in a slot of a published grid, with personal data and a public code. The two meet where they
-- must: a mediation appointment occupies its room through an app.bookings row of its own, so the
-- room's existing exclusion constraint keeps an online slot and a session from overlapping, and
-- the case made from the appointment takes over that room booking for its first session.

-- What a centre opens for booking (预约设置): one offer per service window (visits) or room
-- (mediation), with its daily hours, slot length, seats per slot and how far ahead it books.
-- Slots exist only on the centre's working days (its calendar with 调休, as its clocks count).
CREATE TYPE app.booking_offer_kind AS ENUM ('visit', 'mediation');

CREATE TABLE app.booking_offers (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code   text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code  text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  kind         app.booking_offer_kind NOT NULL,
  window_id    uuid REFERENCES app.service_windows (id),
  room_id      uuid REFERENCES app.mediation_rooms (id),
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 40),
  slot_minutes smallint NOT NULL CHECK (slot_minutes BETWEEN 10 AND 240),
  -- Minutes after midnight, China time (9:00 = 540).
  opens_at     smallint NOT NULL CHECK (opens_at BETWEEN 0 AND 1440),
  closes_at    smallint NOT NULL CHECK (closes_at BETWEEN 0 AND 1440),
  break_from   smallint CHECK (break_from BETWEEN 0 AND 1440),
  break_to     smallint CHECK (break_to BETWEEN 0 AND 1440),
  capacity     smallint NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 50),
  days_ahead   smallint NOT NULL DEFAULT 7 CHECK (days_ahead BETWEEN 1 AND 60),
  notice_hours smallint NOT NULL DEFAULT 2 CHECK (notice_hours BETWEEN 0 AND 168),
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  version      integer NOT NULL DEFAULT 1,
  CONSTRAINT booking_offers_resource CHECK (
    (kind = 'visit' AND window_id IS NOT NULL AND room_id IS NULL)
    OR (kind = 'mediation' AND room_id IS NOT NULL AND window_id IS NULL)),
  CONSTRAINT booking_offers_hours CHECK (
    opens_at < closes_at AND closes_at - opens_at >= slot_minutes),
  CONSTRAINT booking_offers_break CHECK (
    (break_from IS NULL) = (break_to IS NULL)
    AND (break_from IS NULL OR (opens_at < break_from AND break_from < break_to AND break_to < closes_at))),
  -- A room holds one mediation at a time.
  CONSTRAINT booking_offers_room_capacity CHECK (kind <> 'mediation' OR capacity = 1),
  CONSTRAINT booking_offers_window_unique UNIQUE (county_code, window_id),
  CONSTRAINT booking_offers_room_unique UNIQUE (county_code, room_id)
);
CREATE INDEX booking_offers_window_idx ON app.booking_offers (window_id) WHERE window_id IS NOT NULL;
CREATE INDEX booking_offers_room_idx ON app.booking_offers (room_id) WHERE room_id IS NOT NULL;
SELECT app.apply_config_policies('app.booking_offers', false);
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF window_id, room_id ON app.booking_offers
  FOR EACH ROW EXECUTE FUNCTION app.check_references('window_id app.service_windows same scope_code active',
    'room_id app.mediation_rooms same scope_code active');
GRANT SELECT, INSERT (kind, window_id, room_id, title, slot_minutes, opens_at, closes_at, break_from, break_to,
  capacity, days_ahead, notice_hours, active) ON app.booking_offers TO zz_app;
GRANT UPDATE (title, slot_minutes, opens_at, closes_at, break_from, break_to, capacity, days_ahead, notice_hours,
  active, updated_at, version) ON app.booking_offers TO zz_app;

-- One person's booking of one seat in one slot. The name and phone are sealed (SM4, bound to
-- table, column and unit) with masked copies for lists; the phone's blind index counts a
-- person's open bookings; the lookup digest binds the public code to the phone's last 4 digits.
CREATE TYPE app.appointment_status AS ENUM ('booked', 'arrived', 'no_show', 'cancelled', 'converted');

CREATE TABLE app.appointments (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code      text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code     text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  offer_id        uuid NOT NULL REFERENCES app.booking_offers (id),
  code            text NOT NULL CHECK (code ~ '^[0-9]{2,12}-[0-9A-HJKMNP-TV-Z]{8}$'),
  starts_at       timestamptz NOT NULL,
  ends_at         timestamptz NOT NULL,
  seat            smallint NOT NULL CHECK (seat BETWEEN 1 AND 50),
  name_enc        bytea NOT NULL,
  name_masked     text NOT NULL CHECK (length(name_masked) BETWEEN 1 AND 30),
  phone_enc       bytea NOT NULL,
  phone_index     bytea NOT NULL,
  phone_masked    text NOT NULL CHECK (length(phone_masked) BETWEEN 5 AND 20),
  category_code   text NOT NULL CHECK (category_code ~ '^[a-z][a-z0-9_]{1,39}$'),
  matter          text NOT NULL CHECK (length(matter) BETWEEN 1 AND 500),
  lookup_digest   bytea NOT NULL,
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 8 AND 100),
  request_hash    text NOT NULL,
  status          app.appointment_status NOT NULL DEFAULT 'booked',
  room_booking_id uuid REFERENCES app.bookings (id),
  case_id         uuid REFERENCES app.cases (id),
  cancel_reason   text CHECK (length(cancel_reason) BETWEEN 1 AND 200),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  CONSTRAINT appointments_span CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '4 hours'),
  -- 接待 converts exactly once: a converted booking names its case, no other does, and a case
  -- comes from at most one booking.
  CONSTRAINT appointments_converted_case CHECK ((status = 'converted') = (case_id IS NOT NULL)),
  CONSTRAINT appointments_case_once UNIQUE (county_code, case_id),
  CONSTRAINT appointments_code_key UNIQUE (county_code, code),
  -- A retry under the same Idempotency-Key finds the first booking.
  CONSTRAINT appointments_idempotency UNIQUE (county_code, scope_code, idempotency_key),
  -- No double booking: one live booking per seat of a slot (the seats are 1…capacity, checked
  -- by app.appointments_check_slot); a cancelled booking frees its seat.
  CONSTRAINT appointments_no_double_booking EXCLUDE USING btree (
    county_code WITH =, offer_id WITH =, starts_at WITH =, seat WITH =) WHERE (status <> 'cancelled')
);
CREATE INDEX appointments_offer_idx ON app.appointments (offer_id, starts_at);
CREATE INDEX appointments_day_idx ON app.appointments (scope_code, starts_at);
CREATE INDEX appointments_phone_idx ON app.appointments (phone_index, starts_at);
CREATE INDEX appointments_case_idx ON app.appointments (case_id) WHERE case_id IS NOT NULL;
CREATE INDEX appointments_room_booking_idx ON app.appointments (room_booking_id) WHERE room_booking_id IS NOT NULL;
SELECT app.apply_config_policies('app.appointments', false);

-- A booking fits its offer: the slot is one slot long and the seat is within the offer's seats per
-- slot (a CHECK cannot read the offer). That the offer is the row's unit's and active is the
-- reference check's (zz_references fires after this trigger, by name).
CREATE FUNCTION app.appointments_check_slot() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE o app.booking_offers;
BEGIN
  SELECT * INTO o FROM app.booking_offers WHERE id = NEW.offer_id;
  IF FOUND AND (NEW.seat > o.capacity OR NEW.ends_at - NEW.starts_at <> make_interval(mins => o.slot_minutes)) THEN
    RAISE EXCEPTION 'seat % of a slot of % seats', NEW.seat, o.capacity USING ERRCODE = 'check_violation',
      CONSTRAINT = 'appointments_within_capacity', TABLE = 'appointments', SCHEMA = 'app';
  END IF;
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION app.appointments_check_slot() FROM PUBLIC;
CREATE TRIGGER appointments_check_slot BEFORE INSERT ON app.appointments
  FOR EACH ROW EXECUTE FUNCTION app.appointments_check_slot();
CREATE TRIGGER zz_references BEFORE INSERT OR UPDATE OF offer_id, room_booking_id, case_id ON app.appointments
  FOR EACH ROW EXECUTE FUNCTION app.check_references('offer_id app.booking_offers same scope_code active',
    'room_booking_id app.bookings same scope_code', 'case_id app.cases same scope_code');

GRANT SELECT, INSERT (offer_id, code, starts_at, ends_at, seat, name_enc, name_masked, phone_enc, phone_index,
  phone_masked, category_code, matter, lookup_digest, idempotency_key, request_hash, room_booking_id)
  ON app.appointments TO zz_app;
GRANT UPDATE (status, case_id, cancel_reason, updated_at, version) ON app.appointments TO zz_app;
REVOKE DELETE ON app.booking_offers, app.appointments FROM zz_app;

-- The case made from a mediation booking takes over the booking's room booking (its first session).
GRANT UPDATE (case_id) ON app.bookings TO zz_app;

-- The public page's list of centres that take bookings: active units with an active offer, by
-- name or code, optionally below a division. Units and offers only, never a booking.
CREATE FUNCTION auth.booking_centres(p_search text, p_under text, p_limit integer)
RETURNS TABLE (id uuid, code text, name text, level app.tenant_level, offers integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
  SELECT t.id, t.code::text, t.name, t.level, count(o.id)::int
  FROM app.tenants t JOIN app.booking_offers o ON o.scope_code = t.code AND o.active
  WHERE t.status = 'active'
    AND (p_under IS NULL OR starts_with(t.code, p_under))
    AND (p_search IS NULL OR strpos(t.name, p_search) > 0 OR starts_with(t.code, p_search))
  GROUP BY t.id, t.code, t.name, t.level
  ORDER BY t.code
  LIMIT least(greatest(p_limit, 1), 100)
$$;
ALTER FUNCTION auth.booking_centres(text, text, integer) OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.booking_centres(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.booking_centres(text, text, integer) TO zz_app;
GRANT SELECT ON app.booking_offers TO zz_auth;
CREATE POLICY booking_offers_auth ON app.booking_offers FOR SELECT TO zz_auth USING (true);

-- A database that already ran 0105 (server-owned columns) and 0120 (county_code a plain column)
-- runs this migration after them: the two tables then get here the shape those migrations give
-- every table they find (in a fresh database, where this runs first, they find these two).
DO $$
DECLARE t record;
BEGIN
  IF to_regprocedure('app.own_columns(regclass, text[])') IS NOT NULL THEN
    FOR t IN
      SELECT c.oid::regclass AS tbl, array_agg(a.attname::text ORDER BY a.attnum) AS cols
      FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.oid IN ('app.booking_offers'::regclass, 'app.appointments'::regclass)
        AND NOT has_column_privilege('zz_app', c.oid, a.attnum, 'INSERT') AND a.attgenerated = ''
      GROUP BY c.oid
    LOOP
      PERFORM app.own_columns(t.tbl, t.cols);
    END LOOP;
  END IF;
  IF to_regprocedure('app.key_by_county(regclass)') IS NOT NULL THEN
    PERFORM app.key_by_county('app.booking_offers');
    PERFORM app.key_by_county('app.appointments');
  END IF;
END $$;
