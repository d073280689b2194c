-- Inserts run their triggers once per statement instead of once per row: a sync batch of 100 new tasks made
-- 200 plpgsql calls and 100 rollup delta rows, and now makes one call and a few delta rows (docs/benchmarks.md,
-- ninth round).

-- Rollup deltas of inserted tasks, summed per agent, UTC hour and status. Updates and deletes keep the row
-- trigger of V5 (its WHEN clause skips the updates that change no rolled-up column, which a statement trigger
-- could only do by joining the old and new rows). The transition table holds whole rows, so one statement
-- inserting many large tasks spills them to temporary files (40,000 tasks of 8 kB: no slower than the row
-- trigger); the aggregate is task_rollup_rebuild()'s, per statement.
drop trigger task_rollup_insert on task;

create function task_rollup_track_inserts() returns trigger language plpgsql as $$
begin
    insert into task_rollup_delta
    select agent_id, date_trunc('hour', created_at, 'UTC'), status, count(*),
           coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0),
           count(*) filter (where result_valid), count(*) filter (where not result_valid),
           count(*) filter (where attachment_count > 0), sum(attachment_count), sum(attachments_document),
           sum(attachments_image), sum(attachments_text), sum(attachments_audio), sum(attachments_other),
           count(task_duration_s(status, started_at, finished_at)),
           coalesce(sum(task_duration_s(status, started_at, finished_at)), 0)
    from inserted
    where deleted_at is null
    group by 1, 2, 3;
    return null;
end
$$;

create trigger task_rollup_insert after insert on task referencing new table as inserted
    for each statement execute function task_rollup_track_inserts();

-- An insert takes its change-feed position from the column defaults (the same transaction id and sequence);
-- the row trigger runs only for an update that bumps the version. An insert must therefore leave change_xid and
-- change_seq to their defaults: a row restored with an old position would sort behind readers' cursors.
drop trigger task_stamp_change on task;
create trigger task_stamp_change before update on task
    for each row when (old.version is distinct from new.version) execute function task_stamp_change();
