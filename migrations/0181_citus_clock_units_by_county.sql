-- The clocks' rollups under the case's county, as 0171 keys the other rollups (issue 14 §6).
--
-- 0175 redefined auth.clock_rollups after 0171 to add app.clock_units, and in doing so wrote the
-- rows of every unit above a clock (the township, county, city, province) under each unit's own
-- code again: on Citus those rows live on other shards than the clock, and a trigger on a shard
-- may only write its own ("cannot execute a distributed query from a query on a shard"). Here
-- both inserts take the clock's own county_code. Readers sum a unit's rows whatever their
-- county; the minute scan's fold (auth.compact_figures, auth.compact_case_rollups) gathers them
-- into one row per unit and key under left(scope_code, 6), as before.

-- The CHECK admits a row of a unit above the county under the code of a county below it, as 0171
-- has it for the other rollups.
ALTER TABLE app.clock_units DROP CONSTRAINT clock_units_county_code_check,
  ADD CONSTRAINT clock_units_county_code_check CHECK (county_code = left(scope_code, 6)
    OR (length(scope_code) < 6 AND length(county_code) <= 6 AND starts_with(county_code, scope_code)));

CREATE OR REPLACE FUNCTION auth.clock_rollups() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, app, pg_temp AS $$
BEGIN
  INSERT INTO app.clock_tallies AS t (county_code, scope_code, owner_code, colour, shard, n)
  SELECT k.county, a.code, k.owner_code, k.colour, pg_backend_pid(), sum(k.d)
  FROM (SELECT NEW.county_code AS county, NEW.scope_code AS scope_code, NEW.owner_code AS owner_code,
          NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.county_code, OLD.scope_code, OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY k.county, a.code, k.owner_code, k.colour HAVING sum(k.d) <> 0
  ORDER BY 2, 3, 4, 1
  ON CONFLICT (county_code, scope_code, owner_code, colour, shard) DO UPDATE SET n = t.n + excluded.n;

  INSERT INTO app.clock_units AS t (county_code, scope_code, owner_code, shard, blue, yellow, red)
  SELECT k.county, a.code, o.code, pg_backend_pid(), coalesce(sum(k.d) FILTER (WHERE k.colour = 'blue'), 0),
    coalesce(sum(k.d) FILTER (WHERE k.colour = 'yellow'), 0), coalesce(sum(k.d) FILTER (WHERE k.colour = 'red'), 0)
  FROM (SELECT NEW.county_code AS county, NEW.scope_code AS scope_code, NEW.owner_code AS owner_code,
          NEW.colour AS colour, 1 AS d
        WHERE TG_OP <> 'DELETE' AND NEW.completed_at IS NULL AND NEW.paused_since IS NULL
        UNION ALL SELECT OLD.county_code, OLD.scope_code, OLD.owner_code, OLD.colour, -1
        WHERE TG_OP <> 'INSERT' AND OLD.completed_at IS NULL AND OLD.paused_since IS NULL) AS k
  CROSS JOIN LATERAL (VALUES (k.owner_code), ('')) AS o (code)
  CROSS JOIN app.ancestor_codes(k.scope_code) AS a (code)
  GROUP BY k.county, a.code, o.code
  HAVING coalesce(sum(k.d) FILTER (WHERE k.colour = 'blue'), 0) <> 0
    OR coalesce(sum(k.d) FILTER (WHERE k.colour = 'yellow'), 0) <> 0
    OR coalesce(sum(k.d) FILTER (WHERE k.colour = 'red'), 0) <> 0
  ORDER BY 2, 3, 1
  ON CONFLICT (county_code, scope_code, owner_code, shard) DO UPDATE SET blue = t.blue + excluded.blue,
    yellow = t.yellow + excluded.yellow, red = t.red + excluded.red;
  RETURN NULL;
END $$;
