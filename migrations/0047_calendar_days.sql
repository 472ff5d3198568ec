-- The official calendar beyond the package (issue 12 §7). `chinese-days` knows only the years
-- the State Council has announced (1.5.7 ends with 2026); a unit enters a year's holidays and
-- make-up workdays from the notice, or its own local adjustments. Entries are inherited down
-- the tree (a province's entries hold for every unit below it; the nearest unit's entry for a
-- date wins) and win over the package. Only the unit itself writes its entries.

CREATE TABLE app.calendar_days (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  day         date NOT NULL CHECK (day BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'),
  workday     boolean NOT NULL,
  -- A day off names its holiday (春节); a worked day has no name.
  name        text CHECK (length(name) BETWEEN 1 AND 20),
  note        text CHECK (length(note) <= 200),
  created_by  uuid,
  created_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT calendar_days_one_per_day UNIQUE (scope_code, day),
  CONSTRAINT calendar_days_name_on_holiday CHECK (workday = false OR name IS NULL)
);
SELECT app.apply_config_policies('app.calendar_days', true);
GRANT SELECT, INSERT (scope_code, day, workday, name, note, created_by) ON app.calendar_days TO zz_app;
GRANT UPDATE (workday, name, note, version) ON app.calendar_days TO zz_app;
GRANT DELETE ON app.calendar_days TO zz_app;
