-- Server-owned columns are owned by a trigger, not by a missing grant.
--
-- Until now the runtime role zz_app held INSERT on only the columns it may write, so that it could
-- not choose a row's id, its timestamps, a case's status and the like. An insert that names every
-- column (Drizzle's, which sends DEFAULT for the ones it is not given; Citus's, which spells every
-- column in what it ships to the shards) is then refused even when it sends DEFAULT. Here each such
-- column becomes server-owned: a BEFORE INSERT trigger that fires first on the table (`a_` sorts
-- before every other trigger name) sets it to its column default (NULL when it has none) whatever
-- zz_app sent, and the later triggers compute what they compute (a child row's scope and handler
-- from its case, the event chain's seq and hashes, a clock's colour) from there. zz_app then holds
-- INSERT on every column it can name. The trigger fires only for zz_app (`WHEN (current_user =
-- 'zz_app')`): the SECURITY DEFINER functions (run as zz_owner) and the administrator's loaders
-- keep the rights they had. Generated columns stay out of the grant (no insert names them). An
-- identity column GENERATED ALWAYS is named too (Drizzle sends DEFAULT for it), so zz_app gets
-- INSERT on it; OVERRIDING SYSTEM VALUE, which that would allow, is refused by the trigger.
--
-- `app.own_columns(table, columns)` writes one trigger function per table with the defaults as
-- they are in the catalog at that time; a migration that changes the default of a server-owned
-- column calls it again. packages/testing/src/db/server-columns.integration.test.ts fails when a
-- function no longer matches its table's defaults, when zz_app lacks INSERT on a column an insert
-- names, and when a client-supplied value survives in a server-owned column.

-- The identity value this session last drew from `seq` (NULL when none): an insert by zz_app that
-- names an identity column with OVERRIDING SYSTEM VALUE carries another value and is refused.
-- Session-local, so it tells zz_app nothing about other sessions; zz_app may not read the sequence.
CREATE FUNCTION app.issued_identity(seq regclass) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RETURN currval(seq);
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION app.issued_identity(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.issued_identity(regclass) TO zz_app;

-- The body of a table's server-column trigger function: each column set to its current default; an
-- identity column (GENERATED ALWAYS) must hold the value the database just drew for the row.
CREATE FUNCTION app.server_columns_body(tbl regclass, cols text[]) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT E'BEGIN\n'
    || string_agg(CASE WHEN a.attidentity = 'a' THEN
           format(E'  IF NEW.%1$I IS DISTINCT FROM app.issued_identity(%2$L::regclass) THEN\n'
             || E'    RAISE EXCEPTION %3$L USING ERRCODE = ''insufficient_privilege'';\n  END IF;',
             a.attname, pg_get_serial_sequence(tbl::text, a.attname),
             format('%s.%s is set by the database', tbl, a.attname))
         ELSE format('  NEW.%I := %s;', a.attname, coalesce(pg_get_expr(d.adbin, d.adrelid), 'NULL')) END,
         E'\n' ORDER BY a.attnum)
    || E'\n  RETURN NEW;\nEND'
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY (cols)
$$;

-- Makes `cols` of `tbl` server-owned for zz_app: the trigger function, the trigger and the grant.
CREATE FUNCTION app.own_columns(tbl regclass, cols text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  rel record;
  bad text;
  fn text;
BEGIN
  SELECT n.nspname, c.relname INTO rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
  SELECT string_agg(c, ', ') INTO bad FROM unnest(cols) c
  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = c AND a.attnum > 0
    AND NOT a.attisdropped AND a.attgenerated = '');
  IF cardinality(cols) = 0 OR bad IS NOT NULL THEN
    RAISE EXCEPTION 'own_columns(%): not an ordinary column of the table: %', tbl, coalesce(bad, '(none given)');
  END IF;
  fn := format('%I.%I', rel.nspname, rel.relname || '_server_columns');
  EXECUTE format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L', fn,
    app.server_columns_body(tbl, cols));
  EXECUTE format('COMMENT ON FUNCTION %s() IS %L', fn,
    'Sets the server-owned columns of ' || tbl::text || ' to their defaults on insert by zz_app (app.own_columns, 0105).');
  IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = tbl AND tgname = 'a_server_columns') THEN
    EXECUTE format('DROP TRIGGER a_server_columns ON %s', tbl);
  END IF;
  EXECUTE format('CREATE TRIGGER a_server_columns BEFORE INSERT ON %s FOR EACH ROW WHEN (current_user = %L) EXECUTE FUNCTION %s(%s)',
    tbl, 'zz_app', fn, (SELECT string_agg(quote_literal(c), ', ' ORDER BY c) FROM unnest(cols) c));
  EXECUTE format('GRANT INSERT (%s) ON %s TO zz_app', (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c), tbl);
END $$;
REVOKE EXECUTE ON FUNCTION app.own_columns(regclass, text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION app.server_columns_body(regclass, text[]) FROM PUBLIC;

-- Every table zz_app inserts into with a column grant: the columns it could not name become
-- server-owned (exactly those, so nothing zz_app could not set before can it set now).
DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT c.oid::regclass AS tbl, array_agg(a.attname::text ORDER BY a.attnum) AS cols
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE n.nspname = 'app' AND c.relkind IN ('r', 'p')
      AND NOT has_table_privilege('zz_app', c.oid, 'INSERT')
      AND has_any_column_privilege('zz_app', c.oid, 'INSERT')
      AND NOT has_column_privilege('zz_app', c.oid, a.attnum, 'INSERT')
      AND a.attgenerated = ''
    GROUP BY c.oid
  LOOP
    PERFORM app.own_columns(t.tbl, t.cols);
  END LOOP;
END $$;
