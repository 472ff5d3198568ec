-- A row whose unit is its parent's (app.inherit_scope: a booking's is its room's, a committee
-- member's its committee's, …) has a server-owned scope_code, as the case records have since 0105:
-- the trigger sets it whatever was sent, and the schema lets an insert leave it out. Nothing
-- changes for what a writer can do (inherit_scope already overwrote the value); the column is now
-- declared the server's, so that app.own_columns' catalog test covers it too.
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT DISTINCT g.tgrelid::regclass FROM pg_trigger g
    WHERE g.tgfoid = 'app.inherit_scope()'::regprocedure AND NOT g.tgisinternal
      AND NOT EXISTS (SELECT 1 FROM pg_trigger o WHERE o.tgrelid = g.tgrelid AND o.tgname = 'a_server_columns')
    ORDER BY 1
  LOOP
    PERFORM app.own_columns(t, ARRAY['scope_code']);
  END LOOP;
END $$;
