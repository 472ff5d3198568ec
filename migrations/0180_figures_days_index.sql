-- The cockpit's median days to resolve (issue 10 §7): cockpit.figures of a county computes each
-- township's median from the days histograms of app.figures_monthly_by (dim 'days', one row per
-- unit, month, category, day count and shard), and a county's 50 townships hold ~11 k such rows
-- for a year at 1 M cases. Through the primary key each row was a heap fetch (2,300 buffers per
-- call, the larger part of the county's database time); this partial index holds the histogram
-- rows alone with their counts, so the same read is an index-only scan of a few hundred pages.
-- The unit's own histogram (the trend's medians) reads through it as well.
CREATE INDEX figures_monthly_by_days_idx ON app.figures_monthly_by (scope_code, category, month)
  INCLUDE (key, cases) WHERE dim = 'days';
