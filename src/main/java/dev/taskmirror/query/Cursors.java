package dev.taskmirror.query;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.taskmirror.common.ApiProblem;

/**
 * Opaque, signed keyset cursors: {@code base64url(json).base64url(hmac)}. The JSON holds the sort position
 * of the last item and a hash of the query it belongs to, so a cursor cannot be replayed against other
 * filters or a different sort.
 */
@ApplicationScoped
public class Cursors {

    /** Decoded position: the sort value (epoch microseconds, null sorts last) and the id tie-breaker. */
    public record Position(Long value, String id) {
    }

    private final ObjectMapper mapper;
    private final SecretKeySpec key;

    Cursors(ObjectMapper mapper, QueryConfig config) {
        this.mapper = mapper;
        this.key = new SecretKeySpec(config.cursorSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String encode(String queryHash, Position p) {
        ObjectNode n = mapper.createObjectNode();
        n.put("q", queryHash);
        if (p.value() == null) {
            n.putNull("v");
        } else {
            n.put("v", p.value());
        }
        n.put("i", p.id());
        byte[] json = n.toString().getBytes(StandardCharsets.UTF_8);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(json) + "." + b64.encodeToString(sign(json));
    }

    public Position decode(String cursor, String queryHash) {
        try {
            int dot = cursor.indexOf('.');
            if (dot <= 0) {
                throw invalid("malformed cursor");
            }
            Base64.Decoder b64 = Base64.getUrlDecoder();
            byte[] json = b64.decode(cursor.substring(0, dot));
            byte[] sig = b64.decode(cursor.substring(dot + 1));
            if (!MessageDigest.isEqual(sig, sign(json))) {
                throw invalid("cursor signature does not match (corrupted or edited cursor)");
            }
            JsonNode n = mapper.readTree(json);
            if (!queryHash.equals(n.path("q").asText())) {
                throw invalid("cursor belongs to a different query: keep filters and sort unchanged while paging");
            }
            JsonNode v = n.get("v");
            if (n.get("i") == null || !n.get("i").isTextual()) {
                throw invalid("malformed cursor");
            }
            return new Position(v == null || v.isNull() ? null : v.asLong(), n.get("i").asText());
        } catch (ApiProblem e) {
            throw e;
        } catch (Exception e) {
            throw invalid("malformed cursor");
        }
    }

    private byte[] sign(byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] full = mac.doFinal(data);
            byte[] out = new byte[16];
            System.arraycopy(full, 0, out, 0, out.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiProblem invalid(String reason) {
        return ApiProblem.badRequest("Invalid cursor: " + reason,
                List.of(new ApiProblem.InvalidParam("cursor", reason)));
    }
}
