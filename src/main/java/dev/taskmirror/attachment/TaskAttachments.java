package dev.taskmirror.attachment;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The input files of a task ({@code input.files}) as far as can be known without downloading them. */
@Schema(name = "TaskAttachments")
public record TaskAttachments(
        @Schema(examples = "5b0e9a43-8c7d-4f21-a6b2-0d3e9c1f7a58") String taskId,
        @Schema(description = "Number of input files", examples = "2") int count,
        @Schema(description = "Files per category (every category, zeros included)") Map<String, Integer> byCategory,
        @Schema(description = "The files, in the task's order") List<Item> items) {

    /**
     * One input file.
     *
     * @param index       position in {@code input.files}
     * @param url         the URL as the task holds it
     * @param fileName    last path segment, percent-decoded; null when the path ends with a slash
     * @param extension   lower-case extension of the URL path (query string and fragment ignored), null if none
     * @param category    see the schema
     * @param size        bytes, when the task document or a probe says
     * @param contentType media type, when the task document or a probe says
     * @param probe       the HEAD request's outcome, only with {@code probe=true}
     */
    @Schema(name = "TaskAttachment")
    public record Item(
            @Schema(examples = "0") int index,
            @Schema(examples = "https://files.example.com/q3.pdf") String url,
            @Schema(examples = "q3.pdf") String fileName,
            @Schema(examples = "pdf") String extension,
            @Schema(description = "By the URL path's extension, as the xpander SDK classifies files: document (pdf), "
                    + "image (jpg, jpeg, png, gif, bmp, tiff, webp, svg), text (the SDK's human-readable files: txt, "
                    + "csv, json, xml, html, htm, md, rst, yaml, yml, py, js, ts, java, c, cpp, h, cs, go, rb, php, "
                    + "sh); audio (mp3, wav, m4a, ogg, oga, flac, aac, opus) and other are this service's additions",
                    enumeration = { "document", "image", "text", "audio", "other" }, examples = "document") String category,
            @Schema(examples = "482113") Long size,
            @Schema(examples = "application/pdf") String contentType,
            ProbeResult probe) {
    }
}
