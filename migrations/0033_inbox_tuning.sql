-- The inbox's page function (0031) reads rows that are in memory, where a random read costs
-- about what a sequential one does: planning it with the disk default (4) made small subtrees
-- pick a scan and a sort over the time-ordered walk.
ALTER FUNCTION auth.case_page(text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
  timestamptz, uuid, integer) SET random_page_cost = 1.1;
