-- Citus readiness, step 3 (issue 14 §6): lookups inside triggers name the county where it is known,
-- so that on Citus they run on the shard that fired them ("cannot execute a distributed query from
-- a query on a shard" otherwise). Nothing changes in what they find on one PostgreSQL: each filter
-- is implied by the relation already checked (and, since 0121, by the composite foreign keys).
--   * app.check_references (0021): a target that must belong to the row's own unit ('same') is in
--     the county of that unit's code; a target that hangs off the same case and takes its unit from
--     the case ('case', when the target has the inherit_case_codes trigger) is in the row's county.
--     The other relations ('within', 'above', 'pool', 'visible') may cross counties and keep the
--     lookup by id alone; their distributed targets are the references SCALE.md lists as left.
--   * app.cases_sync_handler (0014): a case's child rows are in the case's county.

CREATE OR REPLACE FUNCTION app.check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  spec text[]; col text; target regclass; relation text; row_cols text[]; need_active boolean;
  id_type text; val text; old_val text; t record; row_codes text[]; code text; ok boolean;
  county text;
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
    -- The county the target must be in, when the relation fixes it.
    county := NULL;
    IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = target AND a.attname = 'county_code' AND NOT a.attisdropped) THEN
      IF relation = 'same' AND cardinality(row_cols) = 1 THEN
        county := left(to_jsonb(NEW) ->> row_cols[1], 6);
      ELSIF relation = 'case' AND EXISTS (SELECT FROM pg_trigger h JOIN pg_proc q ON q.oid = h.tgfoid
          WHERE h.tgrelid = target AND q.proname = 'inherit_case_codes') THEN
        county := left(to_jsonb(NEW) ->> 'scope_code', 6);
      END IF;
    END IF;
    EXECUTE format('SELECT scope_code::text AS s, %s AS h, %s AS a, %s AS c FROM %s WHERE id = CAST($1 AS %s)%s',
      CASE WHEN target = 'app.cases'::regclass THEN 'handler_code::text' ELSE 'NULL::text' END,
      CASE WHEN need_active THEN 'active' ELSE 'true' END,
      CASE WHEN relation = 'case' THEN 'case_id' ELSE 'NULL::uuid' END,
      target, id_type, CASE WHEN county IS NOT NULL THEN ' AND county_code = $2' ELSE '' END) USING val, county INTO t;
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

CREATE OR REPLACE FUNCTION app.cases_sync_handler() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_parties', 'case_events', 'case_links', 'case_summons', 'mediation_sessions',
    'agreements', 'judicial_confirmations', 'referrals', 'follow_ups', 'attachments', 'case_hops',
    'case_deadlines', 'supervisions']
  LOOP
    EXECUTE format('UPDATE app.%I SET handler_code = $1 WHERE county_code = $3 AND case_id = $2', t)
      USING NEW.handler_code, NEW.id, NEW.county_code;
  END LOOP;
  RETURN NEW;
END $$;
