-- auth.held_sideways (0038) is no longer called: since 0190 the sideways-held cases are read
-- through auth.held_sideways_keys, which also gives each case's county (the form Citus can run).
-- A definer function nothing calls is still a way past RLS to keep reviewed; it goes.
DROP FUNCTION auth.held_sideways();
