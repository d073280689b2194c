package dev.taskmirror.api;

import java.util.ArrayList;
import java.util.List;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.taskmirror.common.Errors;
import dev.taskmirror.common.ApiProblem;
import dev.taskmirror.common.ApiProblem.InvalidParam;
import dev.taskmirror.remote.RemoteException;
import dev.taskmirror.sync.SyncEngine;

/** Every error leaves as {@code application/problem+json}; client mistakes are 4xx, never 500. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    /** Errors of the xpander-compatible surface keep xpander's own shape. */
    @ServerExceptionMapper
    public RestResponse<com.fasterxml.jackson.databind.JsonNode> fastApi(dev.taskmirror.compat.FastApiError e) {
        return RestResponse.ResponseBuilder.<com.fasterxml.jackson.databind.JsonNode> create(e.status())
                .entity(e.body()).type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON).build();
    }

    @ServerExceptionMapper
    public RestResponse<Problem> apiProblem(ApiProblem e, UriInfo uri) {
        return problem(e.status(), e.type(), e.title(), e.getMessage(), uri, e.invalidParams());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<InvalidParam> params = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            params.add(new InvalidParam(name(v.getPropertyPath()), v.getMessage()));
        }
        params.sort((a, b) -> a.name().compareTo(b.name()));
        return problem(422, "validation-failed", "Invalid input", "The request has invalid fields", uri, params);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> invalidFormat(InvalidFormatException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> jsonParse(JsonParseException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> json(JsonProcessingException e, UriInfo uri) {
        if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
            JsonMappingException m = (JsonMappingException) e;
            String path = jsonPath(m);
            return problem(400, "malformed-request", "Malformed request body",
                    "Wrong type or value" + (path.isEmpty() ? "" : " at " + path), uri,
                    List.of(new InvalidParam(path.isEmpty() ? "body" : path, "wrong type or value")));
        }
        return problem(400, "malformed-request", "Malformed request body", "The body is not valid JSON", uri,
                List.of(new InvalidParam("body", "not valid JSON")));
    }

    @ServerExceptionMapper
    public RestResponse<Problem> notFound(NotFoundException e, UriInfo uri) {
        return problem(404, "not-found", "Not found", "No resource at " + uri.getPath(), uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> notAllowed(NotAllowedException e, UriInfo uri) {
        return problem(405, "method-not-allowed", "Method not allowed", e.getMessage(), uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unsupported(NotSupportedException e, UriInfo uri) {
        return problem(415, "unsupported-media-type", "Unsupported media type",
                "Send application/json", uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> notAcceptable(NotAcceptableException e, UriInfo uri) {
        return problem(406, "not-acceptable", "Not acceptable", e.getMessage(), uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "Request %s failed", uri.getPath());
            return problem(status, "internal-error", "Internal error", "The request could not be completed", uri,
                    List.of());
        }
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException j) {
            return json(j, uri);
        }
        return problem(status, "http-" + status, e.getResponse().getStatusInfo().getReasonPhrase(), e.getMessage(), uri,
                List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> busy(SyncEngine.ScopeBusyException e, UriInfo uri) {
        return problem(409, "sync-busy", "Sync already running", e.getMessage(), uri, List.of());
    }

    @ServerExceptionMapper
    public RestResponse<Problem> remote(RemoteException e, UriInfo uri) {
        int status = e.retryable() ? 503 : 502;
        RestResponse<Problem> r = problem(status, "remote-unavailable", "Remote xpander API unavailable",
                e.getMessage(), uri, List.of());
        return r;
    }

    @ServerExceptionMapper(priority = 10_000)
    public RestResponse<Problem> unexpected(Throwable e, UriInfo uri) {
        if (databaseUnavailable(e)) {
            LOG.warnf("Request %s failed: database unavailable (%s)", uri.getPath(), Errors.describe(e));
            RestResponse<Problem> r = problem(503, "database-unavailable", "Database unavailable",
                    "The mirror's database is unreachable; retry shortly", uri, List.of());
            r.getHeaders().putSingle("Retry-After", "1");
            return r;
        }
        String unstorable = unstorableValue(e);
        if (unstorable != null) {
            LOG.debugf("Request %s refused: %s (%s)", uri.getPath(), unstorable, Errors.describe(e));
            return problem(400, "unstorable-value", "Value not accepted", unstorable, uri, List.of());
        }
        LOG.errorf(e, "Request %s failed", uri.getPath());
        return problem(500, "internal-error", "Internal error", "The request could not be completed", uri, List.of());
    }

    /**
     * A value of the request that PostgreSQL cannot store or compare, in any parameter, path or body: a NUL
     * character (SQL state 22021; 22P05 for a JSON {@code \u0000}) or a timestamp outside its range (22008).
     * The client's input, not a fault of the service.
     */
    static String unstorableValue(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                switch (sql.getSQLState()) {
                    case "22021", "22P05" -> {
                        return "The request holds a character that cannot be stored or searched (NUL, \\u0000)";
                    }
                    case "22008" -> {
                        return "The request holds a date or time outside the supported range";
                    }
                    default -> {
                    }
                }
            }
        }
        return null;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    /** A lost or refused database connection (SQL state class 08, shutdown 57P0x, pool acquisition timeout). */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.ConnectException
                    || t instanceof org.hibernate.exception.JDBCConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P"))) {
                    return true;
                }
                if (sql.getMessage() != null && sql.getMessage().contains("Acquisition timeout")) {
                    return true;
                }
            }
        }
        return false;
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    static RestResponse<Problem> problem(int status, String type, String title, String detail, UriInfo uri,
            List<InvalidParam> params) {
        if (uri != null && uri.getPath().startsWith("/xpander")) {
            // xpander's (FastAPI) shape: malformed bodies are validation errors there
            int code = status == 400 ? 422 : status;
            var body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("detail", detail == null ? title : detail);
            return (RestResponse) RestResponse.ResponseBuilder.create(code).entity(body)
                    .type(jakarta.ws.rs.core.MediaType.APPLICATION_JSON).build();
        }
        Problem p = new Problem(Problem.TYPE_BASE + type, title, status, detail, uri == null ? null : uri.getPath(),
                params == null || params.isEmpty() ? null : params);
        // Written as JSON text here: the writer chosen for the endpoint's own media type (text/csv and
        // application/x-ndjson exports) would otherwise render the record with toString().
        return (RestResponse) RestResponse.ResponseBuilder.create(status).entity(problemJson(p))
                .type(Problem.MEDIA_TYPE).build();
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper PROBLEM_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    static String problemJson(Problem p) {
        try {
            return PROBLEM_JSON.writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String name(Path path) {
        StringBuilder sb = new StringBuilder();
        for (Path.Node n : path) {
            switch (n.getKind()) {
                case METHOD, PARAMETER, CONSTRUCTOR, RETURN_VALUE, CROSS_PARAMETER -> {
                    continue;
                }
                case CONTAINER_ELEMENT -> {
                    if (n.getIndex() != null) {
                        sb.append('[').append(n.getIndex()).append(']');
                    } else if (n.getKey() != null) {
                        sb.append('[').append(n.getKey()).append(']');
                    }
                }
                default -> {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(snake(n.getName()));
                    if (n.getIndex() != null) {
                        sb.append('[').append(n.getIndex()).append(']');
                    }
                }
            }
        }
        return sb.length() == 0 ? "body" : sb.toString();
    }

    private static String jsonPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    static String snake(String camel) {
        if (camel == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
