-- Q2 keyset page deep in the result: the statements the service ran for one request, captured from PostgreSQL's log.
\set cv 1792780587166533
\set cid 166703
select t.id, (t.document || coalesce(t.overlay, '{}'::jsonb) || jsonb_build_object('updated_at', iso_utc(t.updated_at), 'mirror', jsonb_build_object(
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
    'result_errors', t.result_errors)))::text, (extract(epoch from t.created_at) * 1000000)::bigint from task t where true and t.deleted_at is null and (t.created_at, t.id) < ((timestamptz 'epoch' + :cv * interval '1 microsecond'), ('seed-' || lpad(cast(:cid as text), 9, '0'))) order by t.created_at desc, t.id desc limit 51;
