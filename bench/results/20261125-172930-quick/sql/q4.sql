-- Q4 stats of one agent: the statements the service ran for one request, captured from PostgreSQL's log.
\set agent random(0, 99)
select x.status, x.agent_id, x.b, grouping(x.agent_id), grouping(x.b), count(*), coalesce(sum(x.prompt_tokens), 0), coalesce(sum(x.completion_tokens), 0), coalesce(sum(x.total_tokens), 0) from (select t.status, t.agent_id, t.prompt_tokens, t.completion_tokens, t.total_tokens, date_trunc(cast(:q4_s1_p1 as text), t.created_at, cast(:q4_s1_p2 as text)) as b from task t where true and t.deleted_at is null and t.agent_id in (('agent-' || lpad(cast(:agent as text), 4, '0')))) x group by grouping sets ((x.status), (x.agent_id, x.status), (x.status, x.b));
select count(*) filter (where t.result_valid), count(*) filter (where not t.result_valid), count(*) filter (where t.attachment_count > 0), coalesce(sum(t.attachment_count), 0), coalesce(sum(t.attachments_document), 0), coalesce(sum(t.attachments_image), 0), coalesce(sum(t.attachments_text), 0), coalesce(sum(t.attachments_audio), 0), coalesce(sum(t.attachments_other), 0) from task t where true and t.deleted_at is null and t.agent_id in (('agent-' || lpad(cast(:agent as text), 4, '0')));
select count(*),
       percentile_cont(0.5) within group (order by extract(epoch from t.finished_at - t.started_at)),
       percentile_cont(0.95) within group (order by extract(epoch from t.finished_at - t.started_at)),
       avg(extract(epoch from t.finished_at - t.started_at)),
       max(extract(epoch from t.finished_at - t.started_at))
from task t where true and t.deleted_at is null and t.agent_id in (('agent-' || lpad(cast(:agent as text), 4, '0'))) and t.status in ('completed', 'failed', 'error', 'stopped') and t.started_at is not null and t.finished_at >= t.started_at;
