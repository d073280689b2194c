-- Stats of one agent without aggregating its tasks on every request: counts and sums per agent, UTC hour of
-- created_at and status, maintained by triggers, plus an index that yields run-time percentiles by position.
-- See dev.taskmirror.query.TaskStats (which requests take this path) and docs/benchmarks.md (why).

create table task_rollup (
    agent_id             text        not null,
    hour                 timestamptz not null,
    status               text        not null,
    tasks                bigint      not null,
    prompt_tokens        bigint      not null,
    completion_tokens    bigint      not null,
    total_tokens         bigint      not null,
    result_valid         bigint      not null,
    result_invalid       bigint      not null,
    with_attachments     bigint      not null,
    attachments          bigint      not null,
    attachments_document bigint      not null,
    attachments_image    bigint      not null,
    attachments_text     bigint      not null,
    attachments_audio    bigint      not null,
    attachments_other    bigint      not null,
    -- Finished tasks with a run time (the durations of the stats), and the sum of their run times in seconds.
    durations            bigint      not null,
    duration_sum         numeric     not null,
    primary key (agent_id, hour, status)
) with (fillfactor = 60);
-- Rows of one agent stay together (a read visits a few pages, not one per row): the rebuild writes them in
-- key order, and the fold's updates find room in their own page (HOT).

-- The same per UTC day (column hour holds the day's start): a day, week or month in UTC is read from about
-- 24 times fewer rows. Kept by the fold, never by a task write.
create table task_rollup_day (like task_rollup including all) with (fillfactor = 60);
-- Rows whose tasks all went (deleted, or moved to another status or hour) are removed by the fold.
create index task_rollup_empty_idx on task_rollup (agent_id) where tasks = 0;
create index task_rollup_day_empty_idx on task_rollup_day (agent_id) where tasks = 0;

-- Writers only append signed deltas here (no row of task_rollup is updated by a task write, so concurrent
-- writers never wait on, or deadlock over, a shared counter row); the fold (StatsRollup) moves them into the rollups
-- in one transaction, and readers add up rollup and deltas in one statement (one snapshot), so a read is exact.
create table task_rollup_delta (like task_rollup);
create index task_rollup_delta_agent_idx on task_rollup_delta (agent_id);
alter table task_rollup_delta set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

-- The run time the stats use: set for finished tasks with both times in order, else null.
create function task_duration_s(status text, started_at timestamptz, finished_at timestamptz)
    returns numeric language sql immutable parallel safe as $$
    select case when status in ('completed', 'failed', 'error', 'stopped') and started_at is not null
                     and finished_at >= started_at
                then extract(epoch from finished_at - started_at) end
$$;

create function task_rollup_track() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.deleted_at is null then
        insert into task_rollup_delta values (
            old.agent_id, date_trunc('hour', old.created_at, 'UTC'), old.status, -1,
            -coalesce(old.prompt_tokens, 0), -coalesce(old.completion_tokens, 0), -coalesce(old.total_tokens, 0),
            -(old.result_valid is true)::int, -(old.result_valid is false)::int, -(old.attachment_count > 0)::int,
            -old.attachment_count, -old.attachments_document, -old.attachments_image, -old.attachments_text,
            -old.attachments_audio, -old.attachments_other,
            -(task_duration_s(old.status, old.started_at, old.finished_at) is not null)::int,
            -coalesce(task_duration_s(old.status, old.started_at, old.finished_at), 0));
    end if;
    if tg_op in ('UPDATE', 'INSERT') and new.deleted_at is null then
        insert into task_rollup_delta values (
            new.agent_id, date_trunc('hour', new.created_at, 'UTC'), new.status, 1,
            coalesce(new.prompt_tokens, 0), coalesce(new.completion_tokens, 0), coalesce(new.total_tokens, 0),
            (new.result_valid is true)::int, (new.result_valid is false)::int, (new.attachment_count > 0)::int,
            new.attachment_count, new.attachments_document, new.attachments_image, new.attachments_text,
            new.attachments_audio, new.attachments_other,
            (task_duration_s(new.status, new.started_at, new.finished_at) is not null)::int,
            coalesce(task_duration_s(new.status, new.started_at, new.finished_at), 0));
    end if;
    return null;
end
$$;

create trigger task_rollup_insert after insert on task
    for each row execute function task_rollup_track();
create trigger task_rollup_delete after delete on task
    for each row execute function task_rollup_track();
-- Most updates (a result arriving, bookkeeping) leave every rolled-up column as it was: no delta for those.
create trigger task_rollup_update after update on task
    for each row when ((old.agent_id, old.created_at, old.status, old.deleted_at is null, old.prompt_tokens,
                        old.completion_tokens, old.total_tokens, old.result_valid, old.attachment_count,
                        old.attachments_document, old.attachments_image, old.attachments_text,
                        old.attachments_audio, old.attachments_other, old.started_at, old.finished_at)
                       is distinct from
                       (new.agent_id, new.created_at, new.status, new.deleted_at is null, new.prompt_tokens,
                        new.completion_tokens, new.total_tokens, new.result_valid, new.attachment_count,
                        new.attachments_document, new.attachments_image, new.attachments_text,
                        new.attachments_audio, new.attachments_other, new.started_at, new.finished_at))
    execute function task_rollup_track();

-- Truncating the tasks (tests, a re-seed) empties the rollups with them.
create function task_rollup_truncate() returns trigger language plpgsql as $$
begin
    truncate task_rollup, task_rollup_day, task_rollup_delta;
    return null;
end
$$;
create trigger task_rollup_truncate after truncate on task
    for each statement execute function task_rollup_truncate();

-- Recomputes the rollup from the tasks (the rows present at this migration; bulk loads that bypass the
-- triggers, like the benchmark's seed).
create function task_rollup_rebuild() returns void language sql as $$
    truncate task_rollup, task_rollup_day, task_rollup_delta;
    insert into task_rollup
    select agent_id, date_trunc('hour', created_at, 'UTC'), status, count(*),
           coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0),
           count(*) filter (where result_valid), count(*) filter (where not result_valid),
           count(*) filter (where attachment_count > 0), sum(attachment_count), sum(attachments_document),
           sum(attachments_image), sum(attachments_text), sum(attachments_audio), sum(attachments_other),
           count(task_duration_s(status, started_at, finished_at)),
           coalesce(sum(task_duration_s(status, started_at, finished_at)), 0)
    from task where deleted_at is null
    group by 1, 2, 3
    order by 1, 2, 3;
    insert into task_rollup_day
    select agent_id, date_trunc('day', hour, 'UTC'), status, sum(tasks), sum(prompt_tokens), sum(completion_tokens),
           sum(total_tokens), sum(result_valid), sum(result_invalid), sum(with_attachments), sum(attachments),
           sum(attachments_document), sum(attachments_image), sum(attachments_text), sum(attachments_audio),
           sum(attachments_other), sum(durations), sum(duration_sum)
    from task_rollup
    group by 1, 2, 3
    order by 1, 2, 3;
$$;
select task_rollup_rebuild();

-- Percentiles of one agent's run times by position (offset k in this order) instead of sorting them all;
-- index-only: the included times let the planner evaluate the expression without the heap.
create index task_duration_idx on task (agent_id, task_duration_s(status, started_at, finished_at))
    include (status, started_at, finished_at)
    where deleted_at is null and task_duration_s(status, started_at, finished_at) is not null;

-- Moves the pending deltas into task_rollup and task_rollup_day (one transaction; a concurrent fold elsewhere
-- makes this one a no-op). Returns the number of deltas moved. Rows that drop to zero tasks are removed.
create function task_rollup_fold() returns bigint language plpgsql as $$
declare
    cols  text[] := array['tasks', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'result_valid',
                          'result_invalid', 'with_attachments', 'attachments', 'attachments_document',
                          'attachments_image', 'attachments_text', 'attachments_audio', 'attachments_other',
                          'durations', 'duration_sum'];
    sums  text := (select string_agg(format('sum(%I) %I', c, c), ', ') from unnest(cols) c);
    sets  text := (select string_agg(format('%I = r.%I + excluded.%I', c, c, c), ', ') from unnest(cols) c);
    moved bigint;
begin
    if not pg_try_advisory_xact_lock(hashtext('task_rollup_fold')) then
        return 0;
    end if;
    -- Data-modifying CTEs run to completion whether or not the final select reads them.
    execute format($f$
        with d as (delete from task_rollup_delta returning *),
        g as (select agent_id, hour, status, %1$s, count(*) n from d group by agent_id, hour, status),
        h as (insert into task_rollup as r select agent_id, hour, status, %2$s from g
              on conflict (agent_id, hour, status) do update set %3$s),
        dd as (insert into task_rollup_day as r
               select agent_id, date_trunc('day', hour, 'UTC'), status, %1$s from g group by 1, 2, 3
               on conflict (agent_id, hour, status) do update set %3$s)
        select coalesce(sum(n), 0) from g$f$, sums, array_to_string(cols, ', '), sets) into moved;
    if moved > 0 then
        delete from task_rollup where tasks = 0;
        delete from task_rollup_day where tasks = 0;
    end if;
    return moved;
end
$$;
