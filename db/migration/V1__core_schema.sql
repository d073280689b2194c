-- Core mirror schema: one row per remote task, the per-scope sync state, the write-back outbox and
-- idempotency keys. Flyway owns the schema; Hibernate only validates it.

create sequence task_change_seq;

create table task (
    id                  text        primary key,
    agent_id            text        not null,
    organization_id     text,
    -- Queryable fields, taken from the served state (remote document with pending local saves applied).
    status              text        not null,
    internal_status     text,
    title               text,
    source              text,
    user_id             text,
    user_email          text,
    parent_task_id      text,
    triggering_agent_id text,
    agent_version       text,
    output_format       text,
    is_manually_stopped boolean     not null default false,
    events_streaming    boolean     not null default false,
    created_at          timestamptz not null,
    started_at          timestamptz,
    paused_at           timestamptz,
    finished_at         timestamptz,
    -- Remote updated_at when the remote reported one, otherwise when the mirror last changed the task.
    updated_at          timestamptz not null,
    result              text,
    prompt_tokens       bigint,
    completion_tokens   bigint,
    total_tokens        bigint,
    -- The whole remote document with secrets removed: nothing the remote sends is dropped.
    document            jsonb       not null,
    -- Local saves accepted but not yet acknowledged by the remote, applied over the document when served.
    overlay             jsonb,
    -- JSON pointers of the secret values removed from the document.
    redacted_paths      jsonb,
    -- Mirror bookkeeping.
    remote_updated_at   timestamptz,
    list_fingerprint    text,
    fingerprint         text        not null,
    observed_at         timestamptz not null,
    synced_at           timestamptz,
    sync_state          text        not null check (sync_state in ('synced', 'pending', 'error')),
    sync_error          text,
    -- Fields of the latest save that the remote had changed meanwhile (see README, write-back).
    conflicts           jsonb,
    missing_since       timestamptz,
    missing_checked_at  timestamptz,
    deleted_at          timestamptz,
    deletion_reason     text,
    version             bigint      not null default 0,
    -- Change-feed position: the writing transaction's id and a sequence, stamped by a trigger.
    change_xid          xid8        not null default pg_current_xact_id(),
    change_seq          bigint      not null default nextval('task_change_seq')
);

create index task_agent_created_idx on task (agent_id, created_at desc, id desc);
create index task_agent_status_created_idx on task (agent_id, status, created_at desc, id desc);
create index task_created_idx on task (created_at desc, id desc);
create index task_user_created_idx on task (user_id, created_at desc, id desc) where user_id is not null;
create index task_parent_idx on task (parent_task_id) where parent_task_id is not null;
create index task_triggering_idx on task (triggering_agent_id) where triggering_agent_id is not null;
create index task_unfinished_idx on task (agent_id, id) where status in ('pending', 'executing', 'paused') and deleted_at is null;
create index task_change_idx on task (change_xid, change_seq);

-- Every change that bumps the version moves the task to the end of the change feed.
create function task_stamp_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.version is distinct from old.version then
        new.change_xid := pg_current_xact_id();
        new.change_seq := nextval('task_change_seq');
    end if;
    return new;
end
$$;

create trigger task_stamp_change before insert or update on task
    for each row execute function task_stamp_change();

-- One row per synced scope: an agent's task list, or an end user's task list.
create table sync_scope (
    scope                 text        primary key,
    kind                  text        not null check (kind in ('agent', 'user')),
    ref_id                text        not null,
    lease_owner           text,
    lease_until           timestamptz,
    initial_sync_at       timestamptz,
    last_attempt_at       timestamptz,
    last_success_at       timestamptz,
    last_full_at          timestamptz,
    last_hot_at           timestamptz,
    last_reconcile_at     timestamptz,
    last_error            text,
    last_error_at         timestamptz,
    consecutive_failures  integer     not null default 0,
    remote_count          integer,
    last_cycle_kind       text,
    last_cycle_ms         bigint,
    last_fetched          integer     not null default 0,
    last_written          integer     not null default 0,
    last_tombstoned       integer     not null default 0,
    cycles                bigint      not null default 0
);

-- Task saves waiting to reach the remote. A row is deleted once the remote acknowledged it; rows
-- that cannot be delivered are parked as 'failed' with the error.
create table outbox (
    id               bigserial   primary key,
    task_id          text        not null,
    kind             text        not null check (kind in ('create', 'update', 'stop')),
    payload          jsonb       not null,
    -- For updates: the served values of the changed fields when the save was accepted.
    base             jsonb,
    -- Secret request fields, AES-GCM encrypted; never stored in clear.
    sealed           text,
    agent_version    text,
    state            text        not null default 'pending' check (state in ('pending', 'failed')),
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    claimed_by       text,
    claimed_until    timestamptz,
    last_error       text,
    last_http_status integer,
    conflicts        jsonb,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now()
);

create index outbox_due_idx on outbox (next_attempt_at, id) where state = 'pending';
create index outbox_task_idx on outbox (task_id, id);

create table idempotency_key (
    idem_key     text        primary key,
    operation    text        not null,
    fingerprint  text        not null,
    task_id      text        not null,
    created_at   timestamptz not null default now()
);
