package dev.taskmirror.attachment;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Classifies a task's input files ({@code input.files}) without downloading them, following the SDK
 * ({@code xpander_sdk.modules.tasks.utils.files.categorize_files}): the extension of the URL's <em>path</em>
 * (Python's {@code urlparse(url).path}, so query string, fragment and {@code ;params} do not count), taken
 * like {@code os.path.splitext} of the lower-cased path: after the last dot of the last path segment, unless
 * only dots precede it ({@code .env} has none). No extension, or a trailing slash, means {@code other}.
 */
public final class Attachments {

    static final Set<String> DOCUMENT = Set.of("pdf");
    static final Set<String> IMAGE = Set.of("jpg", "jpeg", "png", "gif", "bmp", "tiff", "webp", "svg");
    static final Set<String> TEXT = Set.of("txt", "csv", "json", "xml", "html", "htm", "md", "rst", "yaml", "yml",
            "py", "js", "ts", "java", "c", "cpp", "h", "cs", "go", "rb", "php", "sh");
    /** Not in the SDK: audio is told apart so dashboards can count voice inputs. */
    static final Set<String> AUDIO = Set.of("mp3", "wav", "m4a", "ogg", "oga", "flac", "aac", "opus");

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
    /** Python's {@code uses_params}: schemes whose last path segment may carry {@code ;params}. */
    private static final Set<String> USES_PARAMS = Set.of("", "ftp", "hdl", "prospero", "http", "imap", "https",
            "shttp", "rtsp", "rtsps", "rtspu", "sip", "sips", "mms", "sftp", "tel");

    private Attachments() {
    }

    /**
     * One input file as far as its URL tells.
     *
     * @param url       the URL as the task holds it
     * @param fileName  the last path segment, percent-decoded; null when the path ends with a slash or is empty
     * @param extension lower-case extension without the dot, as the SDK reads it; null when there is none
     * @param category  see {@link AttachmentCategory}
     */
    public record FileRef(String url, String fileName, String extension, AttachmentCategory category) {
    }

    /** Per-category counts of a task's input files. */
    public record Counts(int total, Map<AttachmentCategory, Integer> byCategory) {

        public static final Counts NONE = new Counts(0, Map.of());

        public int of(AttachmentCategory c) {
            return byCategory.getOrDefault(c, 0);
        }
    }

    public static AttachmentCategory category(String url) {
        return parse(url).category();
    }

    public static FileRef parse(String url) {
        String path = path(url);
        int slash = path.lastIndexOf('/');
        String last = path.substring(slash + 1);
        String extension = extension(last.toLowerCase(Locale.ROOT));
        return new FileRef(url, last.isEmpty() ? null : decode(last), extension, categoryOf(extension));
    }

    /** The file entries of {@code input.files}: URL strings, or objects with a {@code url}; others are skipped. */
    public static List<JsonNode> entries(JsonNode files) {
        List<JsonNode> out = new ArrayList<>();
        if (files != null && files.isArray()) {
            for (JsonNode f : files) {
                JsonNode u = f.isObject() ? f.get("url") : f;
                if (u != null && u.isTextual() && !u.textValue().isBlank()) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /** The URLs of {@link #entries}. */
    public static List<String> urls(JsonNode files) {
        return entries(files).stream().map(f -> f.isObject() ? f.get("url").textValue() : f.textValue()).toList();
    }

    public static Counts count(JsonNode files) {
        List<String> urls = urls(files);
        if (urls.isEmpty()) {
            return Counts.NONE;
        }
        Map<AttachmentCategory, Integer> by = new EnumMap<>(AttachmentCategory.class);
        for (String u : urls) {
            by.merge(category(u), 1, Integer::sum);
        }
        return new Counts(urls.size(), by);
    }

    static AttachmentCategory categoryOf(String extension) {
        if (extension == null) {
            return AttachmentCategory.OTHER;
        }
        if (IMAGE.contains(extension)) {
            return AttachmentCategory.IMAGE;
        }
        if (DOCUMENT.contains(extension)) {
            return AttachmentCategory.DOCUMENT;
        }
        if (TEXT.contains(extension)) {
            return AttachmentCategory.TEXT;
        }
        return AUDIO.contains(extension) ? AttachmentCategory.AUDIO : AttachmentCategory.OTHER;
    }

    /** The path component as Python's {@code urlparse} returns it. */
    static String path(String url) {
        // Like urlsplit: leading C0 controls and spaces go, tabs and line breaks anywhere; trailing spaces stay.
        int start = 0;
        while (start < url.length() && url.charAt(start) <= ' ') {
            start++;
        }
        String u = url.substring(start).replace("\t", "").replace("\r", "").replace("\n", "");
        String scheme = "";
        int colon = u.indexOf(':');
        if (colon > 0 && SCHEME.matcher(u.substring(0, colon)).matches()) {
            scheme = u.substring(0, colon).toLowerCase(Locale.ROOT);
            u = u.substring(colon + 1);
        }
        if (u.startsWith("//")) {
            int end = indexOfAny(u, 2, "/?#");
            u = end < 0 ? "" : u.substring(end);
        }
        int cut = indexOfAny(u, 0, "?#");
        String path = cut < 0 ? u : u.substring(0, cut);
        if (USES_PARAMS.contains(scheme)) {
            int semi = path.indexOf(';', Math.max(0, path.lastIndexOf('/')));
            if (semi >= 0) {
                path = path.substring(0, semi);
            }
        }
        return path;
    }

    /** {@code os.path.splitext}: the extension of a file name, ignoring leading dots; null when there is none. */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        for (int i = 0; i < dot; i++) {
            if (name.charAt(i) != '.') {
                return dot == name.length() - 1 ? null : name.substring(dot + 1);
            }
        }
        return null;
    }

    private static int indexOfAny(String s, int from, String chars) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
