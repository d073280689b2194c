package dev.taskmirror.attachment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.persistence.EntityManager;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.taskmirror.api.Problem;
import dev.taskmirror.common.ApiProblem;
import io.smallrye.common.annotation.Blocking;

@Path("/tasks/{id}/attachments")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@Tag(name = "Tasks")
public class AttachmentResource {

    private static final String PROBLEM = Problem.MEDIA_TYPE;
    private static final String EXAMPLE = """
            {"task_id": "5b0e9a43-8c7d-4f21-a6b2-0d3e9c1f7a58", "count": 2,
             "by_category": {"document": 1, "image": 0, "text": 1, "audio": 0, "other": 0},
             "items": [
              {"index": 0, "url": "https://files.example.com/q3.pdf", "file_name": "q3.pdf", "extension": "pdf",
               "category": "document", "size": 482113, "content_type": "application/pdf",
               "probe": {"status": "ok", "http_status": 200, "size": 482113, "content_type": "application/pdf",
                         "error": null, "probed_at": "2026-03-02T09:15:04.118230Z", "cached": false}},
              {"index": 1, "url": "https://files.example.com/export.CSV?sig=ab12", "file_name": "export.CSV",
               "extension": "csv", "category": "text", "size": null, "content_type": null,
               "probe": {"status": "http_error", "http_status": 403, "size": null, "content_type": null,
                         "error": "HTTP 403", "probed_at": "2026-03-02T09:15:04.120001Z", "cached": false}}]}""";

    private final EntityManager em;
    private final HeadProber prober;
    private final ObjectMapper mapper;

    AttachmentResource(EntityManager em, HeadProber prober, ObjectMapper mapper) {
        this.em = em;
        this.prober = prober;
        this.mapper = mapper;
    }

    @GET
    @Operation(summary = "Input files of a task", description = "The task's input.files with what the URL tells: "
            + "file name, extension and category (the xpander SDK's rules: document, image, text; plus audio and "
            + "other). With probe=true, a HEAD request per file (bounded: timeout, concurrency, redirects; cached) "
            + "adds size and content type. Only public http(s) addresses are probed, redirects included.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TaskAttachments.class),
            examples = @ExampleObject(name = "probed", value = EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Invalid parameter",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown task",
            content = @Content(mediaType = PROBLEM, schema = @Schema(implementation = Problem.class)))
    public TaskAttachments list(@RestPath String id,
            @Parameter(description = "Send a HEAD request per file to learn size and content type (default false)", example = "true") @RestQuery String probe) {
        boolean doProbe = bool("probe", probe);
        List<JsonNode> entries = Attachments.entries(files(id));
        List<String> urls = entries.stream().map(e -> e.isObject() ? e.get("url").textValue() : e.textValue()).toList();
        List<ProbeResult> probes = !doProbe ? null
                : prober.enabled() ? prober.probe(urls)
                : urls.stream().map(u -> ProbeResult.failed("disabled", "probing is switched off")).toList();
        Map<String, Integer> byCategory = new LinkedHashMap<>();
        AttachmentCategory.VALUES.forEach(c -> byCategory.put(c, 0));
        List<TaskAttachments.Item> items = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            Attachments.FileRef ref = Attachments.parse(urls.get(i));
            byCategory.merge(ref.category().wire(), 1, Integer::sum);
            ProbeResult p = probes == null ? null : probes.get(i);
            JsonNode entry = entries.get(i);
            // The task document's own values (should files ever be objects) win over the probe's.
            Long size = entry.path("size").isIntegralNumber() ? Long.valueOf(entry.get("size").asLong())
                    : p == null ? null : p.size();
            String type = entry.path("content_type").isTextual() ? entry.get("content_type").textValue()
                    : p == null ? null : p.contentType();
            items.add(new TaskAttachments.Item(i, ref.url(), ref.fileName(), ref.extension(), ref.category().wire(),
                    size, type, p));
        }
        return new TaskAttachments(id, urls.size(), byCategory, items);
    }

    /** The served {@code input.files} (read outside any transaction; probing comes after). */
    private JsonNode files(String id) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("select coalesce((t.document || coalesce(t.overlay, '{}'::jsonb)) "
                + "#> '{input,files}', '[]'::jsonb)::text from task t where t.id = ?1").setParameter(1, id)
                .getResultList();
        if (rows.isEmpty()) {
            throw ApiProblem.notFound("Task", id);
        }
        try {
            return mapper.readTree((String) rows.get(0));
        } catch (Exception e) {
            throw new IllegalStateException("unreadable input.files of task " + id, e);
        }
    }

    private static boolean bool(String name, String raw) {
        if (raw == null || raw.isBlank()) {
            return false;
        }
        return switch (raw.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiProblem.badRequest(name + " must be true or false",
                    List.of(new ApiProblem.InvalidParam(name, "true or false")));
        };
    }
}
