-- DerivedBackfill looks for rows derived under older rules at every start. Without an index that is a scan
-- of the whole table (about half a second of PostgreSQL time at 1,000,000 tasks, competing with the
-- start-up), although it finds nothing once the backfill is done. The partial index holds only outdated
-- rows, so it is empty in steady state. Its predicate must stay the one DerivedBackfill.OUTDATED queries
-- (derived_rev below DerivedBackfill.REVISION; DerivedBackfillIndexTest): a migration that raises the
-- revision recreates it.
create index task_derived_outdated_idx on task (id) where derived_rev < 1;
