-- Q3 get by id (random ids): the statements the service ran for one request, captured from PostgreSQL's log.
\set idn random(1, 1000000)
select t.id, t.version, (t.document || coalesce(t.overlay, '{}'::jsonb) || jsonb_build_object('updated_at', iso_utc(t.updated_at), 'mirror', jsonb_build_object(
    'version', t.version,
    'sync_state', t.sync_state,
    'synced_at', iso_utc(t.synced_at),
    'sync_error', t.sync_error,
    'conflicts', t.conflicts,
    'deleted', t.deleted_at is not null,
    'deleted_at', iso_utc(t.deleted_at),
    'deletion_reason', t.deletion_reason,
    'redacted', coalesce(t.redacted_paths, '[]'::jsonb)), 'derived', jsonb_build_object(
    'attachment_count', t.attachment_count,
    'attachments_by_category', jsonb_build_object('document', t.attachments_document,
        'image', t.attachments_image, 'text', t.attachments_text, 'audio', t.attachments_audio,
        'other', t.attachments_other),
    'result_json', t.result_json,
    'result_valid', t.result_valid,
    'result_errors', t.result_errors)))::text, t.status, t.deleted_at is not null from task t where t.id = ('seed-' || lpad(cast(:idn as text), 9, '0'));
