-- Citus readiness, step 2 (issue 14 §6, infra/SCALE.md "Where the schema stands"): the keys of
-- every distributed table carry the distribution column county_code (plain since 0120).
--
-- Which tables are distributed: every table of app and auth that carries county_code, except the
-- reference tables (copied to every node), which are the unit tree and the accounts (0120) and the
-- configuration that units below or above read or name: the catalogues a unit inherits down the
-- tree (categories, department kinds, dictionary entries, calendars, deadline policies, patrol
-- norms, cockpit settings, notices and their files, grids and their workers) and a centre's own
-- set-up that cases
-- and bookings of other units name (stationed departments and their slots, liaisons and windows;
-- mediators, rooms, committees; open-channel keys and their webhooks, looked up by key id before
-- any county is known). Their keys stay as they are (a reference table has no such rule); the
-- list is REFERENCE_TABLES in packages/testing/src/db/citus.integration.test.ts.
--
-- On each distributed table, found from the catalog (so tables added by migrations 0091-0119
-- are converted too):
--   1. the primary key becomes (id, county_code) — county_code second, so that a lookup by id
--      alone keeps its index; a natural key gets county_code appended;
--   2. every unique constraint and unique index gets county_code appended. Each already holds
--      a column of which county_code is a function, or one that fixes the county, so none allows
--      or refuses anything new: scope_code (counters, sequences), the case (events, holdings,
--      summons, confirmations, supervisions), the key (channel requests) — and cases.code, which
--      starts with the unit's code (cases_code_shape), so its first six digits are the county:
--      unique (code, county_code) is unique code. attachments.storage_key is a random name the
--      server makes (128 bits): unique per county, collision-free by construction;
--   3. the exclusion constraint of a room's bookings gets `county_code WITH =` (a room's bookings
--      are all in the room's unit). booking_mediators_no_overlap keeps its form: a mediator of a
--      pool above may be booked by rooms of two counties, and adding the county would let such a
--      mediator be double-booked (see SCALE.md);
--   4. a foreign key between two distributed tables whose rows are always in the same county
--      becomes (county_code, col) → parent (county_code, id): the child takes its unit from the
--      parent (inherit_case_codes, inherit_scope), or app.check_references holds it to the same
--      unit ('same') or to the same case as a row that takes its unit from the case ('case'), or
--      the server writes it in the parent row's unit (channel_requests and case_figure_facts from the
--      case; webhook_deliveries under the key's unit, where the key registered the case). The data
--      is checked first (a clear error names the first key whose rows disagree). Foreign keys
--      between units of different counties by design (a case marked a duplicate of, or linked to,
--      another branch's case; a booking in a room above for a case below; a session's booking;
--      a notification about a case below) keep their form,
--      so their targets keep a unique (id) (cases_id_key, bookings_id_key): Citus cannot hold a
--      foreign key across shards, and these stay listed in citus-pending.json with that reason;
--   5. every ON CONFLICT target in a function that names a changed key gets county_code, which
--      the BEFORE INSERT trigger has filled by the time the conflict is looked for; the shard
--      fold auth.compact_figures groups by it.
-- Forced row security is lifted from the tables of app and auth for the length of this block and
-- put back at its end (one transaction: nobody sees the gap). The block runs as zz_owner, whom
-- forced RLS holds to the policies like anyone else; with it on, the county check below counted
-- no rows and PostgreSQL's foreign-key validation found no parent row (on a database with data
-- 0121 failed with `booking_mediators_booking_id_fkey`: "Key is not present in table bookings").
-- (Amended after it had landed: databases that applied the first text keep it, see
-- AMENDED_MIGRATIONS in packages/db/src/migrate.ts; on a database without rows both do the same.)
-- Cost at the bench's 1 M cases: one index build per changed key (about 40, the largest on
-- case_events and case_parties) and one validating join per composite foreign key, set-based,
-- no loop over rows. A few minutes in all on the 2-core bench machine.

CREATE FUNCTION app.citus_reference_tables() RETURNS regclass[] LANGUAGE sql STABLE AS $$
  SELECT ARRAY['app.tenants', 'app.users', 'app.user_setup_tokens',
    'app.department_kinds', 'app.case_categories', 'app.dictionary_entries', 'app.calendar_days',
    'app.deadline_policies', 'app.patrol_norms', 'app.cockpit_settings', 'app.notices', 'app.notice_attachments',
    'app.grids', 'app.grid_workers', 'app.grid_assignments',
    'app.stationings', 'app.rotation_slots', 'app.stationing_liaisons', 'app.service_windows',
    'app.mediators', 'app.mediation_rooms', 'app.mediation_committees', 'app.committee_members',
    'app.api_keys', 'app.webhooks']::regclass[]
$$;

DO $migration$
DECLARE
  dist regclass[];
  r record;
  fk record;
  same boolean;
  cols text;
  refcols text;
  bad bigint;
  readd text[] := ARRAY[]::text[];
  validate text[] := ARRAY[]::text[];
  id_keys regclass[] := ARRAY[]::regclass[];
  changed regclass[] := ARRAY[]::regclass[];
  s text;
  def text;
  newdef text;
  t regclass;
  forced regclass[];
BEGIN
  SELECT coalesce(array_agg(c.oid::regclass ORDER BY c.oid), ARRAY[]::regclass[]) INTO forced
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('app', 'auth') AND c.relforcerowsecurity;
  FOREACH t IN ARRAY forced LOOP
    EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', t);
  END LOOP;

  SELECT array_agg(c.oid::regclass ORDER BY c.oid) INTO dist
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('app', 'auth') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'county_code' AND NOT a.attisdropped)
    AND c.oid <> ALL (app.citus_reference_tables());

  -- Foreign keys that point at a distributed table's key without county_code: all are dropped
  -- and put back, in the composite form when both rows are always in the same county.
  FOR fk IN
    SELECT k.oid, k.conname, k.conrelid::regclass AS child, k.confrelid::regclass AS parent,
      pg_get_constraintdef(k.oid) AS def, k.confdeltype, k.confupdtype,
      (SELECT array_agg(a.attname::text ORDER BY x.ord) FROM unnest(k.conkey) WITH ORDINALITY x (att, ord)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att) AS from_cols,
      (SELECT array_agg(a.attname::text ORDER BY x.ord) FROM unnest(k.confkey) WITH ORDINALITY x (att, ord)
        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = x.att) AS to_cols
    FROM pg_constraint k
    WHERE k.contype = 'f' AND k.confrelid = ANY (dist)
      AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        AND a.attname = 'county_code')
    ORDER BY k.conrelid::regclass::text, k.conname
  LOOP
    same := fk.child = ANY (dist) AND cardinality(fk.from_cols) = 1 AND fk.to_cols = ARRAY['id'] AND (
      -- the child copies its unit from this parent
      EXISTS (SELECT FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid
        WHERE g.tgrelid = fk.child AND NOT g.tgisinternal AND (
          (p.proname = 'inherit_case_codes' AND fk.parent = 'app.cases'::regclass AND fk.from_cols[1] = 'case_id')
          OR (p.proname = 'inherit_scope'
            AND (string_to_array(rtrim(encode(g.tgargs, 'escape'), E'\\000'), E'\\000'))[1]::regclass = fk.parent
            AND (string_to_array(rtrim(encode(g.tgargs, 'escape'), E'\\000'), E'\\000'))[2] = fk.from_cols[1])))
      -- or the reference check holds it to the row's own unit, or to the same case as a row
      -- that copies its unit from the case
      OR EXISTS (SELECT FROM pg_trigger g, unnest(string_to_array(rtrim(encode(g.tgargs, 'escape'), E'\\000'), E'\\000')) arg
        WHERE g.tgrelid = fk.child AND g.tgfoid = 'app.check_references'::regproc
          AND split_part(arg, ' ', 1) = fk.from_cols[1] AND split_part(arg, ' ', 2)::regclass = fk.parent
          AND (split_part(arg, ' ', 3) = 'same' AND split_part(arg, ' ', 4) = 'scope_code'
            OR split_part(arg, ' ', 3) = 'case' AND EXISTS (SELECT FROM pg_trigger h JOIN pg_proc q ON q.oid = h.tgfoid
              WHERE h.tgrelid = fk.parent AND q.proname = 'inherit_case_codes')))
      -- or the server writes it from the parent row, in the parent's unit
      OR fk.conname IN ('channel_requests_case_id_fkey', 'case_figure_facts_case_id_fkey',
        'webhook_deliveries_case_id_fkey'));
    IF same THEN
      IF fk.confdeltype IN ('n', 'd') OR fk.confupdtype IN ('n', 'd') THEN
        RAISE EXCEPTION '% sets its column on delete or update; it needs a column list', fk.conname;
      END IF;
      EXECUTE format('SELECT count(*) FROM %s x JOIN %s p ON p.id = x.%I WHERE x.county_code IS DISTINCT FROM p.county_code',
        fk.child, fk.parent, fk.from_cols[1]) INTO bad;
      IF bad > 0 THEN
        RAISE EXCEPTION '% rows of % are in another county than the % row they name (%)', bad, fk.child, fk.parent,
          fk.conname;
      END IF;
      readd := readd || format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', fk.child, fk.conname,
        regexp_replace(regexp_replace(fk.def, '^FOREIGN KEY \(', 'FOREIGN KEY (county_code, '),
          'REFERENCES ([^(]+)\(', 'REFERENCES \1(county_code, '));
      validate := validate || format('ALTER TABLE %s VALIDATE CONSTRAINT %I', fk.child, fk.conname);
    ELSE
      readd := readd || format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.child, fk.conname, fk.def);
      IF fk.to_cols = ARRAY['id'] AND NOT fk.parent = ANY (id_keys) THEN
        id_keys := id_keys || fk.parent;
      END IF;
    END IF;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.child, fk.conname);
  END LOOP;

  -- Primary keys, unique constraints and exclusion constraints.
  FOR r IN
    SELECT k.conrelid::regclass AS tbl, k.conname, k.contype, pg_get_constraintdef(k.oid) AS def,
      (SELECT array_agg(a.attname::text ORDER BY x.ord) FROM unnest(k.conkey) WITH ORDINALITY x (att, ord)
        JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = x.att) AS cols
    FROM pg_constraint k
    WHERE k.conrelid = ANY (dist) AND k.contype IN ('p', 'u', 'x')
      AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
        AND a.attname = 'county_code')
      AND k.conname <> 'booking_mediators_no_overlap'
    ORDER BY k.conrelid::regclass::text, k.contype, k.conname
  LOOP
    IF r.contype = 'x' THEN
      newdef := regexp_replace(r.def, '^EXCLUDE USING (\w+) \(', 'EXCLUDE USING \1 (county_code WITH =, ');
    ELSE
      IF r.def !~ '^(PRIMARY KEY|UNIQUE) \([^()]*\)$' THEN
        RAISE EXCEPTION 'unexpected key % on %: %', r.conname, r.tbl, r.def;
      END IF;
      newdef := regexp_replace(r.def, '\)$', ', county_code)');
    END IF;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I %s', r.tbl, r.conname, r.conname, newdef);
    IF NOT r.tbl = ANY (changed) THEN changed := changed || r.tbl; END IF;
  END LOOP;

  -- Unique indexes that back no constraint (partial or on expressions).
  FOR r IN
    SELECT i.indexrelid::regclass AS idx, i.indrelid::regclass AS tbl, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i
    WHERE i.indrelid = ANY (dist) AND i.indisunique
      AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
        AND a.attname = 'county_code')
  LOOP
    newdef := regexp_replace(r.def, ' USING (\w+) \(([^()]*(\([^()]*\)[^()]*)*)\)', ' USING \1 (\2, county_code)');
    IF newdef = r.def THEN
      RAISE EXCEPTION 'unexpected unique index %: %', r.idx, r.def;
    END IF;
    EXECUTE format('DROP INDEX %s', r.idx);
    EXECUTE newdef;
    IF NOT r.tbl = ANY (changed) THEN changed := changed || r.tbl; END IF;
  END LOOP;

  -- Targets of the foreign keys that cross counties keep a unique id.
  FOREACH t IN ARRAY id_keys LOOP
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I UNIQUE (id)', t,
      (SELECT c.relname FROM pg_class c WHERE c.oid = t) || '_id_key');
  END LOOP;

  FOREACH s IN ARRAY readd LOOP EXECUTE s; END LOOP;
  FOREACH s IN ARRAY validate LOOP EXECUTE s; END LOOP;

  -- ON CONFLICT targets in functions that insert into a table whose keys changed.
  FOREACH t IN ARRAY changed LOOP
    FOR r IN
      SELECT p.oid, pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN ('app', 'auth') AND p.prokind = 'f'
        AND p.prosrc ~* ('INSERT INTO (app\.)?' || (SELECT c.relname FROM pg_class c WHERE c.oid = t) || '\M')
    LOOP
      newdef := regexp_replace(r.def,
        '(INSERT INTO (app\.)?' || (SELECT c.relname FROM pg_class c WHERE c.oid = t)
          || '\M[^;]*?ON CONFLICT \()(?!county_code)',
        '\1county_code, ', 'gi');
      IF newdef <> r.def THEN
        EXECUTE newdef;
      END IF;
    END LOOP;
  END LOOP;

  FOREACH t IN ARRAY forced LOOP
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
  END LOOP;
END $migration$;

-- The shard fold (0041, 0120) groups by county_code too where the rollup has it: its key includes it.
CREATE OR REPLACE FUNCTION auth.compact_figures(p_table regclass, p_key text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  sums text[];
  keys text;
BEGIN
  IF EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = p_table AND a.attname = 'county_code' AND NOT a.attisdropped) THEN
    p_key := p_key || ARRAY['county_code'];
  END IF;
  keys := array_to_string(p_key, ', ');
  SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO sums FROM pg_attribute a
  WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname <> ALL (p_key || ARRAY['shard']) AND a.attgenerated = '';
  EXECUTE format(
    'WITH moved AS (DELETE FROM %1$s t USING (SELECT ctid FROM %1$s WHERE shard <> 0 FOR UPDATE SKIP LOCKED) x
       WHERE t.ctid = x.ctid RETURNING t.*)
     INSERT INTO %1$s AS t (%2$s, shard, %3$s) SELECT %2$s, 0, %4$s FROM moved GROUP BY %2$s ORDER BY %2$s
     ON CONFLICT (%2$s, shard) DO UPDATE SET %5$s',
    p_table, keys, array_to_string(sums, ', '),
    (SELECT string_agg(format('sum(%s)', s), ', ') FROM unnest(sums) s),
    (SELECT string_agg(format('%1$s = t.%1$s + excluded.%1$s', s), ', ') FROM unnest(sums) s));
  EXECUTE format('DELETE FROM %s WHERE shard = 0 AND %s', p_table,
    (SELECT string_agg(format('%s = 0', s), ' AND ') FROM unnest(sums) s));
END $$;
