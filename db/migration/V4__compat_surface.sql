-- The xpander-compatible surface: reports of external tasks travel through the outbox like other saves,
-- and activity logs are cached next to the tasks they belong to.

alter table outbox drop constraint outbox_kind_check;
alter table outbox add constraint outbox_kind_check check (kind in ('create', 'update', 'stop', 'report'));

create table task_activity (
    task_id      text        primary key,
    agent_id     text        not null,
    -- The task's version when the log was fetched: a task that has not changed since has the same log.
    task_version bigint      not null,
    document     jsonb       not null,
    fetched_at   timestamptz not null
);
