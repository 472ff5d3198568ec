-- Citus, the write path (issue 14 §6, infra/SCALE.md): the server-owned identity columns of 0105
-- keep their protection on the shards.
--
-- 0105's trigger refuses an identity value that is not the one this session just drew
-- (`app.issued_identity`, currval). On Citus the coordinator evaluates the column's default and
-- ships the value it drew in the INSERT it sends to the shard; the shard's trigger runs in the
-- coordinator's connection to the worker, where currval is unset, so every insert by zz_app into
-- app.audit_events, app.case_events and app.notifications was refused there ("… is set by the
-- database"). The shard cannot tell the coordinator's value from one a client forced with
-- OVERRIDING SYSTEM VALUE (the shard's column is a plain bigint). So on a shard the trigger
-- replaces the value, whatever it is, by one the shard draws itself from the worker's copy of the
-- column's sequence (Citus gives each node its own range: 2^48 × the node's group and up), which
-- no client chose. On one PostgreSQL nothing changes: a value other than the one this session drew
-- is refused, as before. No grant widens: zz_app still may not use the sequences;
-- `app.shard_identity` draws only from a sequence that belongs to an identity column.
--
-- A shard is recognised by its relation: Citus names a shard `<table>_<shard id>` in the table's
-- schema, and the trigger of `<schema>.<table>` only fires on it there. No runtime role may create
-- a table in those schemas, so on one PostgreSQL the branch is never taken.

CREATE FUNCTION app.shard_identity(seq regclass) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = seq
                 AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i') THEN
    RAISE EXCEPTION '% is not the sequence of an identity column', seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN nextval(seq);
END $$;
REVOKE EXECUTE ON FUNCTION app.shard_identity(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.shard_identity(regclass) TO zz_app;

CREATE OR REPLACE FUNCTION app.server_columns_body(tbl regclass, cols text[]) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT E'BEGIN\n'
    || string_agg(CASE WHEN a.attidentity = 'a' THEN
           format(E'  IF TG_TABLE_SCHEMA = %4$L AND TG_TABLE_NAME ~ %5$L THEN\n'
             || E'    -- A Citus shard: the value came from the coordinator or from the client; the shard draws its own.\n'
             || E'    NEW.%1$I := app.shard_identity(%2$L::regclass);\n'
             || E'  ELSIF NEW.%1$I IS DISTINCT FROM app.issued_identity(%2$L::regclass) THEN\n'
             || E'    RAISE EXCEPTION %3$L USING ERRCODE = ''insufficient_privilege'';\n  END IF;',
             a.attname, pg_get_serial_sequence(tbl::text, a.attname),
             format('%s.%s is set by the database', tbl, a.attname),
             (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl),
             '^' || (SELECT c.relname FROM pg_class c WHERE c.oid = tbl) || '_[0-9]+$')
         ELSE format('  NEW.%I := %s;', a.attname, coalesce(pg_get_expr(d.adbin, d.adrelid), 'NULL')) END,
         E'\n' ORDER BY a.attnum)
    || E'\n  RETURN NEW;\nEND'
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = tbl AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY (cols)
$$;
REVOKE EXECUTE ON FUNCTION app.server_columns_body(regclass, text[]) FROM PUBLIC;

-- Every table whose server-column trigger owns an identity column gets its function rewritten
-- (the same columns).
DO $$
DECLARE t record;
BEGIN
  FOR t IN
    SELECT g.tgrelid::regclass AS tbl, string_to_array(rtrim(encode(g.tgargs, 'escape'), '\000'), '\000') AS cols
    FROM pg_trigger g WHERE g.tgname = 'a_server_columns'
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = g.tgrelid AND a.attidentity = 'a'
        AND a.attname::text = ANY (string_to_array(rtrim(encode(g.tgargs, 'escape'), '\000'), '\000')))
    ORDER BY 1
  LOOP
    PERFORM app.own_columns(t.tbl, t.cols);
  END LOOP;
END $$;
