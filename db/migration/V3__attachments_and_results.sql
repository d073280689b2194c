-- Attachments and structured results: columns derived at write time from the served task (see
-- TaskRecord.deriveColumns, dev.taskmirror.attachment.Attachments and dev.taskmirror.result.ResultCheck), so
-- the filters and stats over them are plain column predicates.

alter table task
    -- input.files by category of the URL path's extension (document, image, text: the SDK's groups; audio,
    -- other: ours). attachment_count is their sum.
    add column attachment_count     integer not null default 0,
    add column attachments_document integer not null default 0,
    add column attachments_image    integer not null default 0,
    add column attachments_text     integer not null default 0,
    add column attachments_audio    integer not null default 0,
    add column attachments_other    integer not null default 0,
    -- output_format json: the parsed result, whether it is JSON valid against output_schema (null: not judged)
    -- and the reasons when it is not.
    add column result_json          jsonb,
    add column result_valid         boolean,
    add column result_errors        jsonb,
    -- Revision of the derivation rules the derived columns were computed with; rows below the service's
    -- revision are re-derived in the background at start-up (DerivedBackfill).
    add column derived_rev          integer not null default 0;

-- Rows present now were never derived (0 above). From here on the service writes the revision itself; rows
-- inserted by other means (bulk seeding) count as current.
alter table task alter column derived_rev set default 1;

-- Dashboards watching agent quality list the invalid results, newest first.
create index task_result_invalid_idx on task (created_at desc, id desc)
    where result_valid = false and deleted_at is null;

-- The stats stay index-only: the covering index also carries the attachment counts and result validity.
drop index task_stats_idx;
create index task_stats_idx on task (agent_id, created_at)
    include (status, started_at, finished_at, prompt_tokens, completion_tokens, total_tokens,
             attachment_count, attachments_document, attachments_image, attachments_text, attachments_audio,
             attachments_other, result_valid)
    where deleted_at is null;
