-- The centre's public contact (对外联系信息), issue 12: the phone (and the address and opening
-- hours) printed on the papers a citizen takes home, the intake receipt (受理回执) first. One row
-- per unit, set by its own administrator; read down the tree, so that a unit without one prints
-- the nearest centre's above it (a village outpost names its township centre's phone).

CREATE TABLE app.centre_contacts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code    text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code   text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  -- A landline with its area code, a mobile or a hotline (the input's phone rule, schemas/centre.ts).
  phone         text NOT NULL CONSTRAINT centre_contacts_phone_shape CHECK (phone ~ '^[0-9+ -]{5,20}$'),
  address       text CHECK (length(address) BETWEEN 1 AND 200),
  opening_hours text CHECK (length(opening_hours) BETWEEN 1 AND 100),
  updated_by    uuid,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  version       integer NOT NULL DEFAULT 1,
  CONSTRAINT centre_contacts_scope_code_key UNIQUE (scope_code)
);
SELECT app.apply_config_policies('app.centre_contacts', true);
GRANT SELECT, INSERT (phone, address, opening_hours, updated_by) ON app.centre_contacts TO zz_app;
GRANT UPDATE (phone, address, opening_hours, updated_by, updated_at, version) ON app.centre_contacts TO zz_app;
