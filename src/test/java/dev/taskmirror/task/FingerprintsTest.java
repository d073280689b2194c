package dev.taskmirror.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fingerprints are stored: the streaming implementation must give exactly the hashes of the original one
 * (canonical text built as a String, then UTF-8 encoded), or every mirrored task would look changed.
 */
class FingerprintsTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @Test
    void sameHashesAsTheStringBasedCanonicalForm() throws Exception {
        Random random = new Random(20261206);
        for (int i = 0; i < 3_000; i++) {
            JsonNode doc = randomNode(random, 0);
            assertThat(Fingerprints.of(doc)).as("document %d", i).isEqualTo(reference(doc));
        }
    }

    @Test
    void keyOrderDoesNotMatterButContentDoes() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode a = mapper.readTree("{\"b\":1,\"a\":{\"y\":\"\\u00e9\\ud83d\\ude00\",\"x\":[1.50,true,null]}}");
        JsonNode b = mapper.readTree("{\"a\":{\"x\":[1.5,true,null],\"y\":\"é😀\"},\"b\":1}");
        assertThat(Fingerprints.of(a)).isEqualTo(Fingerprints.of(b)).isEqualTo(reference(a));
        assertThat(Fingerprints.canonicalText(a)).isEqualTo("{\"a\":{\"x\":[1.5,true,null],\"y\":\"é😀\"},\"b\":1}");
        assertThat(Fingerprints.of(mapper.readTree("{\"b\":2}"))).isNotEqualTo(Fingerprints.of(mapper.readTree("{\"b\":1}")));
        // Longer than the buffer, with multi-byte characters across its boundary.
        String longText = "ä€😀\"\\".repeat(5_000);
        ObjectNode big = F.objectNode().put("t", longText);
        assertThat(Fingerprints.of(big)).isEqualTo(reference(big));
    }

    private static JsonNode randomNode(Random r, int depth) {
        int kind = depth > 3 ? 2 + r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0 -> {
                ObjectNode o = F.objectNode();
                int n = r.nextInt(6);
                for (int i = 0; i < n; i++) {
                    o.set(randomString(r, 8), randomNode(r, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = F.arrayNode();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(randomNode(r, depth + 1));
                }
                return a;
            }
            case 2 -> {
                return F.textNode(randomString(r, r.nextInt(4) == 0 ? 3_000 : 40));
            }
            case 3 -> {
                return r.nextBoolean() ? F.numberNode(r.nextLong()) : F.numberNode(new java.math.BigDecimal(
                        r.nextInt(100_000) + "." + r.nextInt(1000) + "00"));
            }
            case 4 -> {
                return F.booleanNode(r.nextBoolean());
            }
            case 5 -> {
                return F.nullNode();
            }
            default -> {
                return F.numberNode(r.nextDouble() * 1e6);
            }
        }
    }

    /** ASCII, escapes, Latin-1, BMP, astral pairs and now and then an unpaired surrogate. */
    private static String randomString(Random r, int max) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(20);
            if (k < 12) {
                sb.append((char) (' ' + r.nextInt(95)));
            } else if (k < 14) {
                sb.append(r.nextBoolean() ? '"' : '\\');
            } else if (k < 16) {
                sb.append((char) (0x80 + r.nextInt(0x780)));
            } else if (k < 18) {
                sb.append((char) (0x800 + r.nextInt(0xD000)));
            } else if (k < 19) {
                sb.appendCodePoint(0x10000 + r.nextInt(0xFFFFF));
            } else {
                sb.append((char) (0xD800 + r.nextInt(0x800)));
            }
        }
        return sb.toString();
    }

    /** The original implementation, kept as the reference. */
    private static String reference(JsonNode node) throws Exception {
        StringBuilder sb = new StringBuilder(512);
        canonical(node, sb);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, 16);
    }

    private static void canonical(JsonNode node, StringBuilder sb) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.append("null");
        } else if (node.isObject()) {
            List<String> names = new ArrayList<>(node.size());
            Iterator<String> it = node.fieldNames();
            while (it.hasNext()) {
                names.add(it.next());
            }
            Collections.sort(names);
            sb.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                quote(names.get(i), sb);
                sb.append(':');
                canonical(node.get(names.get(i)), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                canonical(node.get(i), sb);
            }
            sb.append(']');
        } else if (node.isTextual()) {
            quote(node.asText(), sb);
        } else if (node.isNumber()) {
            sb.append(node.decimalValue().stripTrailingZeros().toPlainString());
        } else {
            sb.append(node.asText());
        }
    }

    private static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }
}
