package dev.taskmirror.attachment;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a HEAD request told about an input file.
 *
 * @param status     {@code ok} (2xx), {@code http_error} (another final status), {@code refused} (the URL is not
 *                   probed: scheme, unknown host, non-public address), {@code unreachable} (connection or TLS
 *                   failure), {@code timeout}, {@code skipped} (beyond the files probed per request, or the
 *                   service is busy), {@code disabled} (probing is switched off)
 * @param httpStatus the final HTTP status, when there was one
 * @param size       Content-Length of a 2xx answer
 * @param contentType Content-Type of a 2xx answer
 * @param error      why the probe did not succeed
 * @param probedAt   when the answer was received (ISO-8601)
 * @param cached     the answer comes from the probe cache
 */
@Schema(name = "AttachmentProbe", description = "Outcome of the HEAD request made for probe=true")
public record ProbeResult(
        @Schema(enumeration = { "ok", "http_error", "refused", "unreachable", "timeout", "skipped", "disabled" },
                examples = "ok") String status,
        @Schema(examples = "200") Integer httpStatus,
        @Schema(examples = "482113") Long size,
        @Schema(examples = "application/pdf") String contentType,
        @Schema(examples = "files.internal resolves to the non-public address 10.0.0.7") String error,
        @Schema(examples = "2026-03-02T09:15:04.118230Z") String probedAt,
        boolean cached) {

    static ProbeResult failed(String status, String error) {
        return new ProbeResult(status, null, null, null, error, null, false);
    }

    ProbeResult fromCache() {
        return new ProbeResult(status, httpStatus, size, contentType, error, probedAt, true);
    }

    /** Answers worth keeping: what the server said. Refusals, timeouts and I/O failures are retried next time. */
    boolean cacheable() {
        return "ok".equals(status) || "http_error".equals(status);
    }
}
