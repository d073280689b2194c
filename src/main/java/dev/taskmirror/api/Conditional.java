package dev.taskmirror.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Conditional GET for computed responses: the body is serialised once, its hash is a strong ETag, and an
 * {@code If-None-Match} that matches gets a bodyless 304.
 */
@ApplicationScoped
public class Conditional {

    /** Revalidate every time (cheap with ETags): the mirror changes continuously. */
    public static final String REVALIDATE = "no-cache";

    private final ObjectMapper mapper;

    Conditional(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public RestResponse<byte[]> json(Object body, String ifNoneMatch, String cacheControl) {
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise the response", e);
        }
        return bytes(bytes, etag(bytes), ifNoneMatch, cacheControl);
    }

    public static RestResponse<byte[]> bytes(byte[] bytes, String etag, String ifNoneMatch, String cacheControl) {
        if (matches(ifNoneMatch, etag)) {
            return RestResponse.ResponseBuilder.<byte[]> create(RestResponse.Status.NOT_MODIFIED)
                    .header("ETag", etag).header("Cache-Control", cacheControl).build();
        }
        return RestResponse.ResponseBuilder.ok(bytes, MediaType.APPLICATION_JSON_TYPE)
                .header("ETag", etag).header("Cache-Control", cacheControl).build();
    }

    /** If-None-Match semantics (RFC 9110 13.1.2): weak comparison, {@code *} matches anything. */
    public static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null || ifNoneMatch.isBlank()) {
            return false;
        }
        String bare = etag.startsWith("W/") ? etag.substring(2) : etag;
        for (String part : ifNoneMatch.split(",")) {
            String p = part.trim();
            if (p.startsWith("W/")) {
                p = p.substring(2);
            }
            if (p.equals("*") || p.equals(bare)) {
                return true;
            }
        }
        return false;
    }

    static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
