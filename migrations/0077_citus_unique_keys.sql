-- Citus readiness (issue 14, infra/SCALE.md): a distributed table's unique keys must include the
-- distribution column, county_code. These per-unit uniqueness rules already include scope_code,
-- of which county_code is a function (its first six digits), so adding it changes nothing of what
-- they allow or refuse; the names stay (the bilingual messages are keyed by them), and
-- county_code goes last so that lookups by the unit and the name keep the index's prefix. None
-- is an ON CONFLICT target or referenced by a foreign key. What the catalog test still finds is
-- listed, with the plan for it, in packages/testing/src/db/citus-pending.json.
ALTER TABLE app.stationings
  DROP CONSTRAINT stationings_name_unique,
  ADD CONSTRAINT stationings_name_unique UNIQUE (scope_code, name, county_code);
ALTER TABLE app.service_windows
  DROP CONSTRAINT service_windows_number_unique,
  ADD CONSTRAINT service_windows_number_unique UNIQUE (scope_code, number, county_code);
ALTER TABLE app.mediation_rooms
  DROP CONSTRAINT mediation_rooms_name_unique,
  ADD CONSTRAINT mediation_rooms_name_unique UNIQUE (scope_code, name, county_code);
ALTER TABLE app.mediation_committees
  DROP CONSTRAINT mediation_committees_name_unique,
  ADD CONSTRAINT mediation_committees_name_unique UNIQUE (scope_code, name, county_code);
ALTER TABLE app.api_keys
  DROP CONSTRAINT api_keys_name_unique,
  ADD CONSTRAINT api_keys_name_unique UNIQUE (scope_code, name, county_code);
ALTER TABLE app.department_kinds
  DROP CONSTRAINT department_kinds_scope_code_code_key,
  ADD CONSTRAINT department_kinds_scope_code_code_key UNIQUE (scope_code, code, county_code);
ALTER TABLE app.case_categories
  DROP CONSTRAINT case_categories_scope_code_code_key,
  ADD CONSTRAINT case_categories_scope_code_code_key UNIQUE (scope_code, code, county_code);
