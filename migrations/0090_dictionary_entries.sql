-- Dictionaries (字典管理) beyond the dispute categories: a unit's own window service items (服务事项)
-- and mediator qualifications (资质), inherited down the tree as the categories are. The window
-- and mediator forms offer them as choices; the text values they store stay free text, so values
-- saved before an entry existed (or after it was deactivated) stay valid.
CREATE TYPE app.dictionary_kind AS ENUM ('service_item', 'qualification');

CREATE TABLE app.dictionary_entries (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  scope_code  text COLLATE "C" NOT NULL DEFAULT nullif(current_setting('app.scope', true), ''),
  county_code text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  kind        app.dictionary_kind NOT NULL,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 40 AND name = btrim(name)),
  active      boolean NOT NULL DEFAULT true,
  version     integer NOT NULL DEFAULT 1,
  CONSTRAINT dictionary_entries_name_key UNIQUE (scope_code, kind, name, county_code)
);
SELECT app.apply_config_policies('app.dictionary_entries', true);
GRANT SELECT, INSERT ON app.dictionary_entries TO zz_app;
GRANT UPDATE (name, active, version) ON app.dictionary_entries TO zz_app;
