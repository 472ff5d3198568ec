-- A row's id, its timestamps, its version and an audit line's time are the server's on every table
-- zz_app inserts into.
--
-- 0105 made server-owned exactly the columns zz_app could not name before (the tables it inserted
-- into through a column grant). Two kinds of column escaped it: `app.audit_events.at`, which zz_app
-- could always name (an audit line dated by its writer, which the SM3 chain of 0074 then seals as
-- if it were true), and the id, created_at, updated_at and version of the tables zz_app holds INSERT
-- on as a whole (parties, mediators, rooms, windows, stationings, grids, categories, bookings, …),
-- whose writer could pick a row's id, back-date it or start it at any version.
--
-- The rule from now on: on a table zz_app may insert into, each column named id, created_at,
-- updated_at, version or at that has a default is server-owned (set to its default by the table's
-- `a_server_columns` trigger whatever zz_app sends). A column of those names without a default is
-- the writer's by design (a deadline policy's version is the next one of its unit, a setup token's id
-- is the token's hash) and stays so. The columns a table's trigger already owns are kept.
-- packages/testing/src/db/server-columns.integration.test.ts holds the catalog to this rule, so a new
-- table that does not call app.own_columns for them fails there.
DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT c.oid::regclass AS tbl,
      array(
        SELECT DISTINCT x FROM unnest(
          coalesce((SELECT string_to_array(rtrim(encode(g.tgargs, 'escape'), '\000'), '\000')
                    FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'a_server_columns'), '{}'::text[])
          || array_agg(a.attname::text)) x
        ORDER BY x) AS cols
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname IN ('app', 'auth', 'ref') AND c.relkind IN ('r', 'p')
      AND has_any_column_privilege('zz_app', c.oid, 'INSERT')
      AND a.attgenerated = '' AND a.atthasdef
      AND a.attname IN ('id', 'created_at', 'updated_at', 'version', 'at')
      AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'a_server_columns'
        AND a.attname::text = ANY (string_to_array(rtrim(encode(g.tgargs, 'escape'), '\000'), '\000')))
    GROUP BY c.oid
  LOOP
    PERFORM app.own_columns(t.tbl, t.cols);
  END LOOP;
END $$;
