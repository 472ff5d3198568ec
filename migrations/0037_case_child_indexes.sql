-- Every table hanging off a case is read by its case: the case page (cases.get) reads each of
-- them `where case_id = $1`, the cockpit's per-case facts (0040, app.case_fact: at every change
-- and in app.rebuild_case_figures) read a case's follow-ups, hops and clocks, and the follow-up
-- rate asks whether a case has a follow-up. Seven of these tables had no index on case_id, so
-- each such read scanned the whole table: measured on a generated province of 1 M cases, the
-- 0040 backfill (one case_fact per case, each scanning 1 M follow-ups) did not finish in 15
-- minutes, and `cases.followUpRate` hit the statement timeout at 100 k cases.

CREATE INDEX mediation_sessions_case_idx ON app.mediation_sessions (case_id, starts_at);
CREATE INDEX agreements_case_idx ON app.agreements (case_id, created_at);
CREATE INDEX judicial_confirmations_case_idx ON app.judicial_confirmations (case_id);
CREATE INDEX referrals_case_idx ON app.referrals (case_id, referred_at);
CREATE INDEX follow_ups_case_idx ON app.follow_ups (case_id, at);
CREATE INDEX attachments_case_idx ON app.attachments (case_id, uploaded_at);
CREATE INDEX supervisions_case_idx ON app.supervisions (case_id);
-- The case page lists links in both directions (`case_id = $1 or related_id = $1`).
CREATE INDEX case_links_related_idx ON app.case_links (related_id);

-- Future case child tables get the index with their policies (0014's shape plus case_id).
CREATE OR REPLACE FUNCTION app.apply_case_child_policies(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  s constant text := $s$nullif(current_setting('app.scope', true), '')$s$;
  name text := replace(p_table::text, 'app.', '');
BEGIN
  EXECUTE format('ALTER TABLE %s ADD COLUMN handler_code text COLLATE "C"', p_table);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format($p$CREATE POLICY %1$I ON %2$s FOR ALL TO zz_app
    USING ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))
    WITH CHECK ((scope_code >= %3$s AND scope_code < %3$s || ':') OR (handler_code >= %3$s AND handler_code < %3$s || ':'))$p$,
    name || '_scope', p_table, s);
  EXECUTE format('CREATE INDEX %I ON %s (scope_code)', name || '_scope_idx', p_table);
  EXECUTE format('CREATE INDEX %I ON %s (handler_code)', name || '_handler_idx', p_table);
  EXECUTE format('CREATE INDEX %I ON %s (case_id)', name || '_case_id_idx', p_table);
  EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION app.inherit_case_codes()',
    name || '_inherit_codes', p_table);
  EXECUTE format('GRANT UPDATE (handler_code) ON %s TO zz_app', p_table);
END $$;
