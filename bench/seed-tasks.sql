-- Seeds N mirrored tasks straight into task-mirror's schema (set-based, in batches).
-- psql variables: n (tasks), agents, users, days (spread of created_at), batch (rows per transaction).
-- Run through bench/seed.sh, which migrates the schema first.
\set ON_ERROR_STOP on
\if :{?n} \else \set n 1000000 \endif
\if :{?agents} \else \set agents 100 \endif
\if :{?users} \else \set users 10000 \endif
\if :{?days} \else \set days 90 \endif
\if :{?batch} \else \set batch 100000 \endif

-- Seeding is bulk work: skip the per-row change-feed trigger (column defaults still stamp the position).
alter table task disable trigger task_stamp_change;
alter table task disable trigger task_notify_change;

create temporary table seed_words (i int primary key, w text);
insert into seed_words
select row_number() over () - 1, w from unnest(string_to_array(
  'quarterly report revenue churn customer invoice contract summary analysis forecast pipeline incident '
  'deployment review release roadmap onboarding support ticket escalation refund shipment inventory supplier '
  'marketing campaign budget hiring payroll compliance audit security vulnerability patch migration database '
  'latency outage dashboard metrics experiment feature pricing renewal partner research competitor survey',
  ' ')) as w;

select count(*) as words from seed_words \gset

select coalesce(max(substr(id, 6)::int), 0) as start from task where id ~ '^seed-[0-9]+$' \gset

\set batches (:n + :batch - 1) / :batch
-- psql cannot loop: generate one INSERT per batch (one transaction each) and execute them.
select format($f$
insert into task (id, agent_id, organization_id, status, internal_status, title, source, user_id, user_email,
    parent_task_id, triggering_agent_id, agent_version, output_format, is_manually_stopped, events_streaming,
    created_at, started_at, paused_at, finished_at, updated_at, result, prompt_tokens, completion_tokens,
    total_tokens, document, fingerprint, observed_at, synced_at, sync_state, remote_updated_at)
select id, agent_id, org, status, internal_status, title, source, user_id, user_email, null, null, '3',
    output_format, status = 'stopped', false, created_at, started_at, null, finished_at,
    coalesce(finished_at, started_at, created_at), result, pt, ct, pt + ct,
    jsonb_build_object(
        'id', id, 'agent_id', agent_id, 'organization_id', org,
        'input', jsonb_build_object('text', prompt, 'files', files,
            'user', jsonb_build_object('id', user_id, 'email', user_email, 'first_name', 'User',
                'last_name', user_id, 'display_name', user_email, 'additional_attributes', null, 'timezone', 'UTC')),
        'status', status, 'internal_status', internal_status, 'last_executed_node_id', null, 'agent_version', '3',
        'created_at', iso_utc(created_at), 'started_at', iso_utc(started_at), 'paused_at', null,
        'finished_at', iso_utc(finished_at), 'result', result, 'parent_execution', null,
        'sub_executions', '[]'::jsonb, 'finished_sub_executions', '[]'::jsonb,
        'is_manually_stopped', status = 'stopped', 'payload_extension', null, 'hitl_request', null,
        'pending_eca_request', null, 'source', source, 'worker_id', null, 'voice_id', null,
        'output_format', output_format, 'output_schema', null, 'events_streaming', false,
        'used_mutating_tools', false, 'is_continuous', false, 'is_orchestration', false,
        'additional_context', null, 'instructions_override', null, 'test_run_node_id', null,
        'user_oidc_token', null, 'expected_output', null, 'mcp_servers', '[]'::jsonb,
        'triggering_agent_id', null, 'title', title, 'think_mode', 'default',
        'disable_attachment_injection', false, 'user_tokens', null,
        'deep_planning', '{"enabled": false, "enforce": false, "started": false, "question_raised": false, "tasks": []}'::jsonb,
        'execution_attempts', 1, 'return_metrics', false,
        'tokens', case when pt is null then null else jsonb_build_object('prompt_tokens', pt,
            'completion_tokens', ct, 'total_tokens', pt + ct) end),
    md5(id), now(), now(), 'synced', coalesce(finished_at, started_at, created_at)
from (
    select id, agent_id, org, status, title, source, user_id, user_email, output_format, prompt, files,
        created_at,
        case when status = 'pending' then null else created_at + (1 + r2 * 20) * interval '1 second' end as started_at,
        case when status in ('completed', 'failed', 'error', 'stopped')
             then created_at + (5 + r2 * 20 + r3 * r3 * 600) * interval '1 second' end as finished_at,
        case when status in ('completed', 'failed', 'error') then
            '## ' || title || E'\n' || repeat(w1 || ' ' || w2 || ' ' || w3 || E' finding.\n', 3 + (r1 * 12)::int)
        end as result,
        case when status in ('completed', 'failed', 'error') then 500 + (r3 * 6000)::int end as pt,
        case when status in ('completed', 'failed', 'error') then 100 + (r2 * 1500)::int end as ct,
        case when r1 < 0.05 then 'reviewed' when r1 < 0.08 then 'needs-review' end as internal_status
    from (
        select 'seed-' || lpad((%1$s + g)::text, 9, '0') as id,
            'agent-' || lpad(((g * 7919) %% %3$s)::text, 4, '0') as agent_id,
            '0f4a8e2c-61b7-4d9a-8e35-c2d7b9a1f604' as org,
            case when s < 0.70 then 'completed' when s < 0.75 then 'failed' when s < 0.78 then 'error'
                 when s < 0.82 then 'stopped' when s < 0.90 then 'executing' when s < 0.96 then 'pending'
                 else 'paused' end as status,
            initcap(w1) || ' ' || w2 || ' ' || w3 as title,
            (array['sdk','webhook','slack','workbench','api','mcp','a2a','telegram'])[1 + (g %% 8)] as source,
            'user-' || ((g * 104729) %% %4$s) as user_id,
            'user' || ((g * 104729) %% %4$s) || '@example.com' as user_email,
            (array['text','markdown','json','text','markdown'])[1 + (g %% 5)] as output_format,
            'Please prepare the ' || w1 || ' ' || w2 || ' for the ' || w3 || ' team and ' ||
                repeat('include the ' || w2 || ' details, ', 2 + (r1 * 8)::int) || 'thanks.' as prompt,
            case when g %% 4 = 0 then jsonb_build_array('https://files.example.com/' || w1 || '.pdf')
                 else '[]'::jsonb end as files,
            now() - (r3 * %5$s) * interval '1 day' as created_at,
            r1, r2, r3, w1, w2, w3
        from (
            select g, random() as s, random() as r1, random() as r2, random() as r3,
                (select w from seed_words where i = (g * 31) %% %6$s) as w1,
                (select w from seed_words where i = (g * 17 + 3) %% %6$s) as w2,
                (select w from seed_words where i = (g * 13 + 7) %% %6$s) as w3
            from generate_series((%2$s * %7$s + 1)::bigint, least((%2$s + 1) * %7$s, %8$s)::bigint) g
        ) base
    ) shaped
) rows;
$f$, :start, b, :agents, :users, :days, :words, :batch, :n) as stmt
from generate_series(0, :batches - 1) b
\gexec

alter table task enable trigger task_stamp_change;
alter table task enable trigger task_notify_change;

insert into sync_scope (scope, kind, ref_id, initial_sync_at, last_success_at, last_full_at, last_reconcile_at)
select 'agent:' || agent_id, 'agent', agent_id, now(), now(), now(), now()
from (select distinct agent_id from task where id like 'seed-%') a
on conflict (scope) do nothing;

vacuum (analyze) task;
select count(*) as tasks, count(distinct agent_id) as agents, pg_size_pretty(pg_total_relation_size('task')) as size
from task;
