-- Citus readiness, step 1 (issue 14 §6, infra/SCALE.md): the distribution column `county_code`
-- becomes a plain column. Citus cannot distribute a table on a generated column, so on every
-- table where it was `GENERATED ALWAYS AS (left(scope_code, 6)) STORED` it is now:
--   * a plain column, NOT NULL, its stored values kept (DROP EXPRESSION rewrites nothing);
--   * filled by the BEFORE INSERT / UPDATE OF scope_code trigger `zzz_county_code` when the
--     writer did not send it (named so that it fires after every trigger that sets scope_code:
--     PostgreSQL fires BEFORE triggers in name order, and the inheriting ones are *_inherit_*,
--     zz_references…);
--   * bound to its unit by `CHECK (county_code = left(scope_code, 6))` (<table>_county_code_check).
-- Why the trigger fills and never overwrites a value that was sent: on Citus the coordinator routes
-- an INSERT by the county_code in the statement, and the trigger runs on the shard; rewriting the
-- value there would leave the row on another county's shard. A value that disagrees with the
-- row's unit is refused by the CHECK instead (no row is ever misplaced), so sending it grants no
-- power, and the runtime roles may send it (Citus spells every column in the INSERTs it ships).
-- The tables found are every table in app and auth whose county_code is generated from
-- scope_code, except the three Citus reference tables (app.tenants, app.users,
-- app.user_setup_tokens: they keep the generated column, which reference tables allow); tables
-- added by later migrations take the same shape through app.key_by_county (below).
--
-- app.case_figure_facts (the figures' facts, one row per case) gets the column too, so that it is
-- distributed with its case instead of being a reference table that references one.
--
-- Cost at the bench's 1 M cases: DROP EXPRESSION and the triggers are catalog changes; the CHECK
-- and NOT NULL each read every table once (sequential scans, no rewrite), and case_figure_facts is
-- filled from cases by one UPDATE … FROM (1 M rows). Seconds to a minute or two in all.

-- Fills county_code from scope_code when the writer left it out (and follows scope_code when an
-- UPDATE moves it without naming county_code).
CREATE FUNCTION app.fill_county_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.county_code IS NULL THEN
      NEW.county_code := left(NEW.scope_code, 6);
    END IF;
  ELSIF NEW.scope_code IS DISTINCT FROM OLD.scope_code AND NEW.county_code IS NOT DISTINCT FROM OLD.county_code THEN
    NEW.county_code := left(NEW.scope_code, 6);
  END IF;
  RETURN NEW;
END $$;

-- Gives one table the plain-column shape: idempotent, so that a table created later with a plain
-- county_code can be passed through it as well.
CREATE FUNCTION app.key_by_county(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  name text := (SELECT c.relname FROM pg_class c WHERE c.oid = p_table);
  expr text;
  r record;
BEGIN
  SELECT CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END INTO expr
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid = p_table AND a.attname = 'county_code' AND NOT a.attisdropped;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% has no county_code', p_table;
  END IF;
  IF expr IS NOT NULL THEN
    IF expr <> '"left"(scope_code, 6)' THEN
      RAISE EXCEPTION '%.county_code is generated as %, not left(scope_code, 6)', p_table, expr;
    END IF;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN county_code DROP EXPRESSION', p_table);
  END IF;
  IF NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = p_table AND t.tgname = 'zzz_county_code') THEN
    EXECUTE format('CREATE TRIGGER zzz_county_code BEFORE INSERT OR UPDATE OF scope_code, county_code ON %s
      FOR EACH ROW EXECUTE FUNCTION app.fill_county_code()', p_table);
    -- It owns a column, so it fires under session_replication_role = replica too (the bulk loads
    -- of packages/testing/src/generate and the bench turn the other triggers off).
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER zzz_county_code', p_table);
  END IF;
  IF NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = p_table AND c.conname = name || '_county_code_check') THEN
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (county_code = left(scope_code, 6))',
      p_table, name || '_county_code_check');
  END IF;
  EXECUTE format('ALTER TABLE %s ALTER COLUMN county_code SET NOT NULL', p_table);
  -- Whoever may insert into the table may send the column (the CHECK decides what it may hold).
  FOR r IN
    SELECT DISTINCT g.rolname FROM pg_attribute a, aclexplode(a.attacl) x JOIN pg_roles g ON g.oid = x.grantee
    WHERE a.attrelid = p_table AND a.attnum > 0 AND x.privilege_type = 'INSERT'
    UNION
    SELECT g.rolname FROM pg_class c, aclexplode(c.relacl) x JOIN pg_roles g ON g.oid = x.grantee
    WHERE c.oid = p_table AND x.privilege_type = 'INSERT' AND g.rolname <> 'zz_owner'
  LOOP
    EXECUTE format('GRANT INSERT (county_code) ON %s TO %I', p_table, r.rolname);
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION app.key_by_county(regclass) FROM PUBLIC;

-- The facts of a case live with the case.
ALTER TABLE app.case_figure_facts ADD COLUMN county_code text COLLATE "C";
UPDATE app.case_figure_facts f SET county_code = left(f.scope_code, 6);

DO $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'county_code' AND NOT a.attisdropped
    WHERE n.nspname IN ('app', 'auth') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND c.oid NOT IN ('app.tenants'::regclass, 'app.users'::regclass, 'app.user_setup_tokens'::regclass)
    ORDER BY 1
  LOOP
    PERFORM app.key_by_county(t);
  END LOOP;
END $$;

-- The fold of a rollup's shards (0041) sums every column outside the key: county_code is part of
-- the unit, not a count, so the folded row gets it from the trigger. Unchanged otherwise.
CREATE OR REPLACE FUNCTION auth.compact_figures(p_table regclass, p_key text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
DECLARE
  sums text[];
  keys text := array_to_string(p_key, ', ');
BEGIN
  SELECT array_agg(quote_ident(a.attname) ORDER BY a.attnum) INTO sums FROM pg_attribute a
  WHERE a.attrelid = p_table AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attname <> ALL (p_key || ARRAY['shard', 'county_code']) AND a.attgenerated = '';
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

-- The facts row carries the case's county code (app.case_fact returns the table's row type, so it
-- spells the new last column). Unchanged otherwise from 0041.
CREATE OR REPLACE FUNCTION app.case_fact(p_case uuid) RETURNS SETOF app.case_figure_facts
LANGUAGE sql STABLE AS $$
  SELECT c.id, c.scope_code,
    date_trunc('month', c.registered_at AT TIME ZONE 'Asia/Shanghai')::date,
    c.category_code, c.channel, c.risk_grade,
    c.accepted_at IS NOT NULL,
    c.resolved_at IS NOT NULL,
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')),
    (c.closed_at IS NOT NULL OR c.status IN ('closed', 'archived')) AND NOT coalesce(d.late, false),
    coalesce(f.n, 0) > 0,
    coalesce(f.last_satisfaction IN ('satisfied', 'basically_satisfied'), false),
    coalesce(h.escalations, 0) > 0,
    coalesce(h.returns, 0),
    EXISTS (SELECT 1 FROM app.case_links l WHERE l.case_id = c.id AND l.reason = 'repeat_claimant'),
    c.group_dispute,
    c.people_count,
    coalesce(c.amount_cents, 0),
    CASE WHEN c.resolved_at IS NOT NULL THEN
      greatest(0, (c.resolved_at AT TIME ZONE 'Asia/Shanghai')::date - (c.registered_at AT TIME ZONE 'Asia/Shanghai')::date)
    END,
    CASE WHEN c.resolved_at IS NOT NULL THEN app.figure_tier(c.owner_code) END,
    c.county_code
  FROM app.cases c
  LEFT JOIN LATERAL (SELECT count(*) AS n,
      (array_agg(fu.satisfaction ORDER BY fu.at DESC, fu.id DESC))[1] AS last_satisfaction
    FROM app.follow_ups fu WHERE fu.case_id = c.id) f ON true
  LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE hp.kind = 'escalate') AS escalations,
      count(*) FILTER (WHERE hp.kind = 'return') AS returns
    FROM app.case_hops hp WHERE hp.case_id = c.id) h ON true
  LEFT JOIN LATERAL (SELECT bool_or(dl.colour = 'red' OR dl.completed_at > dl.due_at) AS late
    FROM app.case_deadlines dl WHERE dl.case_id = c.id) d ON true
  WHERE c.id = p_case
$$;

-- Lookups of the parent row in the inheriting triggers filter on the county code when the writer
-- sent it (read through to_jsonb, so that a table without the column may use them too). On Citus
-- that is the only way such a lookup can run on the shard ("cannot execute a distributed query
-- from a query on a shard" otherwise); a parent of another county is then "not found".
CREATE OR REPLACE FUNCTION app.inherit_case_codes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c record; county text := to_jsonb(NEW) ->> 'county_code';
BEGIN
  IF county IS NOT NULL THEN
    SELECT scope_code, handler_code INTO c FROM app.cases WHERE county_code = county AND id = NEW.case_id;
  ELSE
    SELECT scope_code, handler_code INTO c FROM app.cases WHERE id = NEW.case_id;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case_id not found' USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.scope_code := c.scope_code;
  NEW.handler_code := c.handler_code;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION app.inherit_scope() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE parent_id uuid; code text; county text := to_jsonb(NEW) ->> 'county_code';
BEGIN
  EXECUTE format('SELECT ($1).%I::uuid', TG_ARGV[1]) USING NEW INTO parent_id;
  IF county IS NOT NULL THEN
    EXECUTE format('SELECT scope_code FROM %s WHERE county_code = $2 AND id = $1', TG_ARGV[0])
      USING parent_id, county INTO code;
  ELSE
    EXECUTE format('SELECT scope_code FROM %s WHERE id = $1', TG_ARGV[0]) USING parent_id INTO code;
  END IF;
  IF code IS NULL THEN
    RAISE EXCEPTION '% not found', TG_ARGV[1] USING ERRCODE = 'foreign_key_violation';
  END IF;
  NEW.scope_code := code;
  RETURN NEW;
END $$;
