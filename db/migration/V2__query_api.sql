-- Query API: full-text search, filter and stats indexes, change-feed notifications and retention.

-- Full-text search over title, prompt text and result. Long texts are cut so a huge result can never
-- exceed tsvector's size limit.
alter table task add column search tsvector generated always as (
    to_tsvector('english',
        left(coalesce(title, ''), 2000) || ' ' ||
        left(coalesce(document #>> '{input,text}', ''), 20000) || ' ' ||
        left(coalesce(result, ''), 50000))) stored;
create index task_search_idx on task using gin (search);

-- Sorting by updated_at / finished_at with keyset paging.
create index task_updated_idx on task (updated_at desc, id desc);
create index task_finished_idx on task (finished_at desc, id desc);
create index task_agent_updated_idx on task (agent_id, updated_at desc, id desc);

-- Stats: an index-only plan per agent (or across agents) over what the stats aggregate.
create index task_stats_idx on task (agent_id, created_at)
    include (status, started_at, finished_at, prompt_tokens, completion_tokens, total_tokens)
    where deleted_at is null;

-- Index-only scans depend on the visibility map: vacuum the hot table more eagerly than the default.
-- A narrow heap keeps scans and top-N sorts cheap: rows above ~1 kB move their large values (document,
-- result) to TOAST, while the search vector stays in the row so filtering an ordered scan by it is cheap.
alter table task set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                      toast_tuple_target = 1000);
alter table task alter column search set storage main;

-- One notification per writing transaction (payloads are de-duplicated within a transaction): wakes
-- long-polling readers of the change feed and waiters on task results, on every replica.
create function task_notify_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('task_changes', '');
    return null;
end
$$;

create trigger task_notify_change after insert or update or delete on task
    for each statement execute function task_notify_change();

-- Change-feed retention: tombstones are purged after a retention period; a reader whose cursor is older
-- than the newest purged change may have missed a deletion and must re-list.
create table feed_state (
    id                 integer primary key check (id = 1),
    purged_through_xid xid8    not null default '0'::xid8,
    purged_through_seq bigint  not null default 0,
    purged_at          timestamptz
);
insert into feed_state (id) values (1);

-- The remote's timestamp format (UTC, microseconds, Z), for JSON composed by the database.
create function iso_utc(ts timestamptz) returns text language sql immutable parallel safe as $$
    select to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;
