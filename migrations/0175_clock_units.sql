-- The dashboard's deadline block (escalation.deadlineCounts) from a rollup of its own (issue 9 §3):
-- it grouped the subtree's rows of app.clock_tallies (one per owner, colour and shard; 9 k at the
-- province of 1 M cases) on every call to get the totals and the ten units with the most red:
-- 40 ms median, 91 ms p95 at the province (bench/results/2026-12-01-1m.md), target 50.
--
-- app.clock_units: the same running clocks (not completed, not paused) as app.clock_tallies, per
-- unit of the registering subtree (`scope_code`, counting its whole subtree like 0032's rollups)
-- and unit that must meet them (`owner_code`), with the three colours side by side, so that the
-- ranking "most red, then most yellow, then by code" is an index order (clock_units_rank_idx);
-- and per unit one row with owner_code '' that counts every owner (the block's totals: a few rows
-- whatever the subtree). Kept by the clocks' trigger (auth.clock_rollups) in the same
-- transaction as the change, one shard per backend like the other rollups, folded by the minute
-- scan (auth.compact_rollups), rebuilt by app.rebuild_rollups(). The reader takes the ranking
-- from shard 0 except for the owners that still have shard rows, which it sums in full
-- (rollups.ts), so the answer is exact between folds too.

CREATE TABLE app.clock_units (
  county_code text COLLATE "C" NOT NULL,
  scope_code  text COLLATE "C" NOT NULL,
  -- The unit that must meet the clocks; '' for the row that counts every owner.
  owner_code  text COLLATE "C" NOT NULL,
  shard       integer NOT NULL DEFAULT 0,
  blue        integer NOT NULL DEFAULT 0,
  yellow      integer NOT NULL DEFAULT 0,
  red         integer NOT NULL DEFAULT 0,
  -- county_code last, as 0121 keys the other rollups: the key serves lookups by unit and owner.
  PRIMARY KEY (scope_code, owner_code, shard, county_code)
);
SELECT app.key_by_county('app.clock_units');
ALTER TABLE app.clock_units ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.clock_units FORCE ROW LEVEL SECURITY;
-- A unit reads the rollups of itself and its subtree.
CREATE POLICY clock_units_read ON app.clock_units FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY clock_units_auth ON app.clock_units FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT ON app.clock_units TO zz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.clock_units TO zz_auth;
-- The ranking of a unit's owners (folded rows), with blue for their count without a heap visit.
CREATE INDEX clock_units_rank_idx ON app.clock_units (scope_code, red DESC, yellow DESC, owner_code) INCLUDE (blue)
  WHERE shard = 0 AND owner_code <> '';
-- The owners a unit's ranking must sum in full (rows not yet folded); the fold reads them too.
CREATE INDEX clock_units_shards_idx ON app.clock_units (scope_code, owner_code) WHERE shard <> 0;
-- The fold's zero-row delete (auth.compact_figures).
CREATE INDEX clock_units_zero_idx ON app.clock_units (shard) WHERE shard = 0 AND blue = 0 AND yellow = 0 AND red = 0;

-- Running clocks by owner and colour, and now by owner with the colours side by side.
CREATE OR REPLACE FUNCTION auth.clock_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.clock_tallies AS t (county_code, scope_code, owner_code, colour, shard, n)
  SELECT left(a.code, 6), a.code, k.owner_code, k.colour, pg_backend_pid(), sum(k.d)
  FROM (SELECT NEW.owner_code AS owner_code, NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN app.ancestor_codes(CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END) AS a (code)
  GROUP BY a.code, k.owner_code, k.colour HAVING sum(k.d) <> 0
  ORDER BY 2, 3, 4
  ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;

  INSERT INTO app.clock_units AS t (county_code, scope_code, owner_code, shard, blue, yellow, red)
  SELECT left(a.code, 6), a.code, o.code, pg_backend_pid(), coalesce(sum(k.d) FILTER (WHERE k.colour = 'blue'), 0),
    coalesce(sum(k.d) FILTER (WHERE k.colour = 'yellow'), 0), coalesce(sum(k.d) FILTER (WHERE k.colour = 'red'), 0)
  FROM (SELECT NEW.owner_code AS owner_code, NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN LATERAL (VALUES (k.owner_code), ('')) AS o (code)
  CROSS JOIN app.ancestor_codes(CASE WHEN TG_OP = 'DELETE' THEN OLD.scope_code ELSE NEW.scope_code END) AS a (code)
  GROUP BY a.code, o.code
  HAVING coalesce(sum(k.d) FILTER (WHERE k.colour = 'blue'), 0) <> 0
    OR coalesce(sum(k.d) FILTER (WHERE k.colour = 'yellow'), 0) <> 0
    OR coalesce(sum(k.d) FILTER (WHERE k.colour = 'red'), 0) <> 0
  ORDER BY 2, 3
  ON CONFLICT (county_code, scope_code, owner_code, shard) DO UPDATE SET blue = t.blue + excluded.blue,
    yellow = t.yellow + excluded.yellow, red = t.red + excluded.red;
  RETURN NULL;
END $$;

-- The rollup computed from the clocks, as the table's rows would hold it (the rebuild writes
-- these, the tests compare the kept rollup with them).
CREATE FUNCTION app.expected_clock_units()
RETURNS TABLE (scope_code text, owner_code text, blue integer, yellow integer, red integer)
LANGUAGE sql STABLE AS $$
  WITH own AS (
    SELECT d.scope_code, d.owner_code, count(*) FILTER (WHERE d.colour = 'blue') AS blue,
      count(*) FILTER (WHERE d.colour = 'yellow') AS yellow, count(*) FILTER (WHERE d.colour = 'red') AS red
    FROM app.case_deadlines d WHERE d.completed_at IS NULL AND d.paused_since IS NULL GROUP BY 1, 2)
  SELECT a.code, o.code, sum(own.blue)::integer, sum(own.yellow)::integer, sum(own.red)::integer
  FROM own CROSS JOIN LATERAL app.ancestor_codes(own.scope_code) a (code)
    CROSS JOIN LATERAL (VALUES (own.owner_code), ('')) o (code)
  GROUP BY 1, 2
$$;

CREATE FUNCTION app.rebuild_clock_units() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM app.clock_units;
  INSERT INTO app.clock_units (county_code, scope_code, owner_code, shard, blue, yellow, red)
  SELECT left(scope_code, 6), scope_code, owner_code, 0, blue, yellow, red FROM app.expected_clock_units()
  WHERE blue <> 0 OR yellow <> 0 OR red <> 0 ORDER BY 1, 2, 3;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_clock_units() FROM PUBLIC;

-- A bulk load (triggers off) rebuilds it with the others (0095's list, then this one).
CREATE OR REPLACE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM app.rebuild_case_rollups();
  PERFORM app.rebuild_holding_tallies();
  PERFORM app.rebuild_rework_monthly();
  PERFORM app.rebuild_clock_units();
END $$;

-- The minute scan folds its shards with the others (0085's list, then this one).
CREATE OR REPLACE FUNCTION auth.compact_rollups() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  PERFORM auth.compact_case_rollups();
  PERFORM auth.compact_figures('app.figures_monthly', ARRAY['scope_code', 'month', 'category']);
  PERFORM auth.compact_figures('app.figures_monthly_by', ARRAY['scope_code', 'month', 'category', 'dim', 'key']);
  PERFORM auth.compact_figures('app.clock_units', ARRAY['scope_code', 'owner_code']);
END $$;

-- Existing clocks: the owner sees them only while RLS is not forced on it, inside this transaction.
ALTER TABLE app.case_deadlines NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.clock_units NO FORCE ROW LEVEL SECURITY;
SELECT app.rebuild_clock_units();
ALTER TABLE app.case_deadlines FORCE ROW LEVEL SECURITY;
ALTER TABLE app.clock_units FORCE ROW LEVEL SECURITY;
ANALYZE app.clock_units;
