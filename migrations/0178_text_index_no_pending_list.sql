-- The text index takes each new case at once (issue 9 §2): with GIN's fast update (the default),
-- a new row's keys wait in the index's pending list until a vacuum or 4 MB of them, and every
-- search reads the whole list and tests each row in it against the text. On the bench's 1 M
-- database, after the ~900 intakes of one http section, the rare-trigram lookup of 0176 read 228
-- index buffers instead of 8 and took 27 ms instead of 0.9 (bench/results/2026-12-02-1m.md): the
-- search got slower with every intake until autovacuum came by. Without fast update an insert
-- writes its keys into the index itself (a few posting-tree pages per title, in the intake's
-- transaction), and searches never read a pending list. The pending entries there are now are
-- moved into the index here.
ALTER INDEX app.cases_text_idx SET (fastupdate = off);
SELECT gin_clean_pending_list('app.cases_text_idx'::regclass);
