package dev.taskmirror.task;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Content hash of a JSON document, independent of key order: SHA-256 (first 16 bytes, hex) of a canonical
 * form (keys sorted, strings quoted with only {@code "} and {@code \} escaped, numbers without trailing
 * zeros), encoded as UTF-8.
 * <p>
 * Fingerprints are stored, so the canonical form must never change. It is written straight into the digest
 * through a small per-thread buffer: a backfill fingerprints every document, and building the whole form as
 * a String and encoding it again was a visible part of its CPU.
 */
public final class Fingerprints {

    private static final ThreadLocal<Sink> SINKS = ThreadLocal.withInitial(Sink::new);

    private Fingerprints() {
    }

    public static String of(JsonNode node) {
        Sink sink = SINKS.get();
        sink.reset();
        canonical(node, sink);
        return HexFormat.of().formatHex(sink.digest(), 0, 16);
    }

    /** The canonical form as text (what {@link #of} hashes), for tests. */
    static String canonicalText(JsonNode node) {
        Sink sink = new Sink();
        sink.keepText = true;
        canonical(node, sink);
        sink.flush();
        return sink.text.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void canonical(JsonNode node, Sink sb) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.ascii("null");
        } else if (node.isObject()) {
            String[] names = new String[node.size()];
            int n = 0;
            Iterator<String> it = node.fieldNames();
            while (it.hasNext()) {
                names[n++] = it.next();
            }
            Arrays.sort(names, 0, n);
            sb.ascii('{');
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    sb.ascii(',');
                }
                sb.quoted(names[i]);
                sb.ascii(':');
                canonical(node.get(names[i]), sb);
            }
            sb.ascii('}');
        } else if (node.isArray()) {
            sb.ascii('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.ascii(',');
                }
                canonical(node.get(i), sb);
            }
            sb.ascii(']');
        } else if (node.isTextual()) {
            sb.quoted(node.asText());
        } else if (node.isNumber()) {
            sb.text(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            sb.text(node.asText());
        }
    }

    /** UTF-8 bytes into a SHA-256 digest through a buffer; encodes like String.getBytes(UTF_8). */
    private static final class Sink {
        private final MessageDigest md;
        private final byte[] buf = new byte[8192];
        private int pos;
        boolean keepText;
        final java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();

        Sink() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void reset() {
            md.reset();
            pos = 0;
        }

        byte[] digest() {
            flush();
            return md.digest();
        }

        void flush() {
            if (keepText) {
                text.write(buf, 0, pos);
            }
            md.update(buf, 0, pos);
            pos = 0;
        }

        private void room(int bytes) {
            if (pos + bytes > buf.length) {
                flush();
            }
        }

        void ascii(char c) {
            room(1);
            buf[pos++] = (byte) c;
        }

        void ascii(String s) {
            for (int i = 0; i < s.length(); i++) {
                ascii(s.charAt(i));
            }
        }

        void quoted(String s) {
            ascii('"');
            text(s, true);
            ascii('"');
        }

        void text(String s) {
            text(s, false);
        }

        private void text(String s, boolean escape) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                room(4);
                if (c < 0x80) {
                    if (escape && (c == '"' || c == '\\')) {
                        buf[pos++] = '\\';
                    }
                    buf[pos++] = (byte) c;
                } else if (c < 0x800) {
                    buf[pos++] = (byte) (0xC0 | (c >> 6));
                    buf[pos++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        buf[pos++] = (byte) (0xF0 | (cp >> 18));
                        buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        buf[pos++] = (byte) (0x80 | (cp & 0x3F));
                    } else {
                        // An unpaired surrogate: String.getBytes(UTF_8) writes '?'.
                        buf[pos++] = '?';
                    }
                } else {
                    buf[pos++] = (byte) (0xE0 | (c >> 12));
                    buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[pos++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }
    }
}
