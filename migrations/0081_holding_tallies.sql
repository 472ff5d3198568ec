-- "How long did each tier hold the cases of this subtree" (escalation.holdingByTier, the leaders'
-- cockpit) from a rollup (issue 9 §3): it aggregated every holding period of the subtree per
-- request, 1.16 M rows and 3.7 s at the province of 1 M cases (bench/results/2026-12-01-1m.md).
--
-- app.holding_tallies: per unit (`scope_code`, counting its whole subtree of registering units,
-- like 0032's rollups) and tier of the holding unit (`holder_len`, the length of its code):
-- * cases: cases that tier held at some time (a case bounced back to a tier counts once);
-- * periods: holding periods; current: those still running;
-- * closed_seconds: the summed length of the ended periods, in seconds;
-- * open_from: the summed start (epoch seconds) of the running ones, so that their hours up to any
--   instant are `current * epoch(now) - open_from` without touching a row per minute.
-- Both in seconds to the microsecond (numeric(24, 6): room for 500 million running periods): the hours equal
-- the direct sum over the periods exactly.
-- Kept by a trigger on app.case_holdings in the same transaction as the change (holdings are
-- written by the cases' trigger of 0022), one shard per backend like the other rollups, folded by
-- the minute scan (auth.compact_holding_tallies).

CREATE TABLE app.holding_tallies (
  scope_code     text COLLATE "C" NOT NULL,
  county_code    text COLLATE "C" GENERATED ALWAYS AS (left(scope_code, 6)) STORED,
  holder_len     integer NOT NULL CONSTRAINT holding_tallies_holder_len CHECK (holder_len IN (2, 4, 6, 9, 12)),
  shard          integer NOT NULL DEFAULT 0,
  cases          bigint NOT NULL DEFAULT 0,
  periods        bigint NOT NULL DEFAULT 0,
  current        bigint NOT NULL DEFAULT 0,
  closed_seconds numeric(24, 6) NOT NULL DEFAULT 0,
  open_from      numeric(24, 6) NOT NULL DEFAULT 0,
  PRIMARY KEY (scope_code, holder_len, shard)
);
ALTER TABLE app.holding_tallies ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.holding_tallies FORCE ROW LEVEL SECURITY;
-- A unit reads the rollups of itself and its subtree.
CREATE POLICY holding_tallies_read ON app.holding_tallies FOR SELECT TO zz_app
  USING (scope_code >= nullif(current_setting('app.scope', true), '')
    AND scope_code < nullif(current_setting('app.scope', true), '') || ':');
CREATE POLICY holding_tallies_auth ON app.holding_tallies FOR ALL TO zz_auth USING (true) WITH CHECK (true);
GRANT SELECT ON app.holding_tallies TO zz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.holding_tallies TO zz_auth;
-- The minute fold's two reads (0039, 0042): the shard rows, and rows of shard 0 that count nothing.
CREATE INDEX holding_tallies_shards_idx ON app.holding_tallies (shard) WHERE shard <> 0;
CREATE INDEX holding_tallies_zero_idx ON app.holding_tallies (shard)
  WHERE shard = 0 AND cases = 0 AND periods = 0 AND current = 0 AND closed_seconds = 0 AND open_from = 0;

-- What one holding period adds (sign 1) or takes away (-1): its period, and whether it is the
-- case's only period at its tier (`first`: the case then counts at that tier).
CREATE FUNCTION app.holding_delta(p_held_from timestamptz, p_held_until timestamptz, p_first boolean, p_sign integer,
  OUT cases integer, OUT periods integer, OUT current integer, OUT closed_seconds numeric, OUT open_from numeric)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_sign * p_first::integer, p_sign, p_sign * (p_held_until IS NULL)::integer,
    CASE WHEN p_held_until IS NULL THEN 0 ELSE p_sign * extract(epoch FROM p_held_until - p_held_from) END,
    CASE WHEN p_held_until IS NULL THEN p_sign * extract(epoch FROM p_held_from) ELSE 0 END
$$;

-- Why definer rights: as for 0032's rollups, a village's change adds to its ancestors' rows, which
-- its policy does not let it write; every value comes from the holding row just written (by
-- auth.cases_track_holding, itself on the case row the caller's policies let it write).
CREATE FUNCTION auth.holding_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.holding_tallies AS t (scope_code, holder_len, shard, cases, periods, current, closed_seconds, open_from)
  SELECT a.code, k.len, pg_backend_pid(), sum(k.cases), sum(k.periods), sum(k.current), sum(k.closed_seconds),
    sum(k.open_from)
  FROM (
    SELECT NEW.scope_code AS scope_code, length(NEW.holder_code) AS len, d.*
    FROM app.holding_delta(NEW.held_from, NEW.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.case_id = NEW.case_id AND length(h.holder_code) = length(NEW.holder_code) AND h.id <> NEW.id), 1) d
    WHERE TG_OP <> 'DELETE'
    UNION ALL
    SELECT OLD.scope_code, length(OLD.holder_code), d.*
    FROM app.holding_delta(OLD.held_from, OLD.held_until, NOT EXISTS (SELECT 1 FROM app.case_holdings h
        WHERE h.case_id = OLD.case_id AND length(h.holder_code) = length(OLD.holder_code) AND h.id <> OLD.id), -1) d
    WHERE TG_OP <> 'INSERT') AS k
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY a.code, k.len
  HAVING sum(k.cases) <> 0 OR sum(k.periods) <> 0 OR sum(k.current) <> 0 OR sum(k.closed_seconds) <> 0
    OR sum(k.open_from) <> 0
  ORDER BY 1, 2
  ON CONFLICT (scope_code, holder_len, shard) DO UPDATE SET cases = t.cases + excluded.cases,
    periods = t.periods + excluded.periods, current = t.current + excluded.current,
    closed_seconds = t.closed_seconds + excluded.closed_seconds, open_from = t.open_from + excluded.open_from;
  RETURN NULL;
END $$;
ALTER FUNCTION auth.holding_rollups() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.holding_rollups() FROM PUBLIC;
CREATE TRIGGER case_holdings_rollups AFTER INSERT OR DELETE ON app.case_holdings
  FOR EACH ROW EXECUTE FUNCTION auth.holding_rollups();
CREATE TRIGGER case_holdings_rollups_update AFTER UPDATE ON app.case_holdings FOR EACH ROW
  WHEN ((OLD.scope_code, OLD.holder_code, OLD.held_from, OLD.held_until)
    IS DISTINCT FROM (NEW.scope_code, NEW.holder_code, NEW.held_from, NEW.held_until))
  EXECUTE FUNCTION auth.holding_rollups();

-- The rollup computed from the holdings, as the table's rows would hold it (the rebuild writes
-- these, the tests compare the kept rollup with them).
CREATE FUNCTION app.expected_holding_tallies()
RETURNS TABLE (scope_code text, holder_len integer, cases bigint, periods bigint, current bigint, closed_seconds numeric,
  open_from numeric)
LANGUAGE sql STABLE AS $$
  WITH own AS (
    SELECT h.scope_code, length(h.holder_code) AS len, count(DISTINCT h.case_id) AS cases, count(*) AS periods,
      count(*) FILTER (WHERE h.held_until IS NULL) AS current,
      coalesce(sum(extract(epoch FROM h.held_until - h.held_from)) FILTER (WHERE h.held_until IS NOT NULL), 0)
        AS closed_seconds,
      coalesce(sum(extract(epoch FROM h.held_from)) FILTER (WHERE h.held_until IS NULL), 0) AS open_from
    FROM app.case_holdings h GROUP BY 1, 2)
  -- A case's holdings all carry the case's registering unit, so distinct cases add up over units.
  SELECT a.code, own.len, sum(own.cases)::bigint, sum(own.periods)::bigint, sum(own.current)::bigint,
    sum(own.closed_seconds), sum(own.open_from)
  FROM own CROSS JOIN LATERAL app.ancestor_codes(own.scope_code) a (code) GROUP BY 1, 2
$$;

CREATE FUNCTION app.rebuild_holding_tallies() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM app.holding_tallies;
  INSERT INTO app.holding_tallies (scope_code, holder_len, shard, cases, periods, current, closed_seconds, open_from)
  SELECT scope_code, holder_len, 0, cases, periods, current, closed_seconds, open_from
  FROM app.expected_holding_tallies() ORDER BY 1, 2;
END $$;
REVOKE ALL ON FUNCTION app.rebuild_holding_tallies() FROM PUBLIC;

-- A bulk load (triggers off) rebuilds every rollup through app.rebuild_rollups(): 0032's, then this one.
ALTER FUNCTION app.rebuild_rollups() RENAME TO rebuild_case_rollups;
CREATE FUNCTION app.rebuild_rollups() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM app.rebuild_case_rollups();
  PERFORM app.rebuild_holding_tallies();
END $$;
REVOKE ALL ON FUNCTION app.rebuild_rollups() FROM PUBLIC;

-- The minute scan folds this rollup's shards after the others' (auth.compact_figures of 0041 is
-- generic over a key and sums). A function of its own, called by the scan beside
-- auth.compact_rollups, which other migrations redefine for their own tables.
CREATE FUNCTION auth.compact_holding_tallies() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  PERFORM auth.compact_figures('app.holding_tallies', ARRAY['scope_code', 'holder_len']);
END $$;
ALTER FUNCTION auth.compact_holding_tallies() OWNER TO zz_auth;
REVOKE ALL ON FUNCTION auth.compact_holding_tallies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auth.compact_holding_tallies() TO zz_app;

-- Existing holdings: the owner sees them only while RLS is not forced on it, inside this transaction.
ALTER TABLE app.case_holdings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE app.holding_tallies NO FORCE ROW LEVEL SECURITY;
SELECT app.rebuild_holding_tallies();
ALTER TABLE app.case_holdings FORCE ROW LEVEL SECURITY;
ALTER TABLE app.holding_tallies FORCE ROW LEVEL SECURITY;
ANALYZE app.holding_tallies;
