-- A NULL handler_code made the ownership check pass for any owner (NULL is not false):
-- ownership moves only to an ancestor of the origin or to a named sideways handler.
ALTER TABLE app.cases DROP CONSTRAINT cases_owner_on_path;
ALTER TABLE app.cases ADD CONSTRAINT cases_owner_on_path
  CHECK (starts_with(scope_code, owner_code) OR (handler_code IS NOT NULL AND owner_code = handler_code));
