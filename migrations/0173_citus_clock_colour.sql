-- Citus, the write path (issue 14 §6, infra/SCALE.md): a clock's trigger reads and writes its case
-- by county.
--
-- app.case_deadlines_follow_case (0030) keeps a case's worst running colour: it called
-- app.case_worst_colour(case), a LANGUAGE sql function with a parameter over app.case_deadlines,
-- which Citus does not plan ("could not create distributed plan … parameters in SQL functions",
-- the first clock of every registration on the cluster), and updated the case by id alone (a
-- statement on every shard, refused from a shard). Both now name the clock's county (its case's);
-- on one PostgreSQL the same rows. The one-argument app.case_worst_colour stays for the checks
-- that compare every case.

CREATE FUNCTION app.case_worst_colour(p_case uuid, p_county text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE worst text;
BEGIN
  SELECT (array['blue', 'yellow', 'red'])[max(array_position(array['blue', 'yellow', 'red'], d.colour))] INTO worst
  FROM app.case_deadlines d
  WHERE d.county_code = p_county AND d.case_id = p_case AND d.completed_at IS NULL AND d.paused_since IS NULL;
  RETURN worst;
END $$;

CREATE OR REPLACE FUNCTION app.case_deadlines_follow_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE worst text := app.case_worst_colour(NEW.case_id, NEW.county_code);
BEGIN
  UPDATE app.cases SET deadline_colour = worst
  WHERE county_code = NEW.county_code AND id = NEW.case_id AND deadline_colour IS DISTINCT FROM worst;
  RETURN NULL;
END $$;
