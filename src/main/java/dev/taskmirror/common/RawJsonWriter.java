package dev.taskmirror.common;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Writes a {@link RawJson} response body as its bytes. Through Jackson, the text was copied character by
 * character into the generator's buffer (about 9 % of the service's CPU on a GET by id); RawJson inside
 * other response objects still goes through Jackson ({@link RawJson#serialize}).
 */
@Provider
@Produces({ MediaType.APPLICATION_JSON, "application/*+json" })
public class RawJsonWriter implements ServerMessageBodyWriter<RawJson> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target,
            MediaType mediaType) {
        return type == RawJson.class;
    }

    @Override
    public void writeResponse(RawJson body, Type genericType, ServerRequestContext context) {
        context.serverResponse().end(body.json().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == RawJson.class;
    }

    @Override
    public void writeTo(RawJson body, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        out.write(body.json().getBytes(StandardCharsets.UTF_8));
    }
}
