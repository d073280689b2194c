package dev.taskmirror.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.jboss.jandex.MethodInfo;
import org.jboss.jandex.MethodParameterInfo;
import org.jboss.jandex.ParameterizedType;
import org.jboss.jandex.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the patterns that break JSON in a native image: the build registers for reflection only the types
 * it can see in resource signatures, so a raw {@code Response}, {@code Object}, an unresolved generic or a
 * JPA entity (lazy state, schema coupling) serialises as {@code {}} or fails only in native mode. Scans the
 * compiled classes of {@code dev.taskmirror}: server resources, exception mappers and REST client interfaces.
 */
class NativeSafetyTest {

    static final Path CLASSES = Path.of("target", "classes");
    static final Set<DotName> HTTP_METHODS = names("jakarta.ws.rs.GET", "jakarta.ws.rs.POST", "jakarta.ws.rs.PUT",
            "jakarta.ws.rs.DELETE", "jakarta.ws.rs.PATCH", "jakarta.ws.rs.HEAD", "jakarta.ws.rs.OPTIONS");
    static final DotName PATH = DotName.createSimple("jakarta.ws.rs.Path");
    static final DotName EXCEPTION_MAPPER = DotName.createSimple(
            "org.jboss.resteasy.reactive.server.ServerExceptionMapper");
    static final DotName RESPONSE = DotName.createSimple("jakarta.ws.rs.core.Response");
    static final DotName OBJECT = DotName.createSimple("java.lang.Object");
    static final DotName ENTITY = DotName.createSimple("jakarta.persistence.Entity");
    static final DotName PANACHE_ENTITY = DotName.createSimple("io.quarkus.hibernate.orm.panache.PanacheEntityBase");
    /** Types whose type arguments are the payload and must be concrete themselves. */
    static final Set<DotName> WRAPPERS = names("org.jboss.resteasy.reactive.RestResponse",
            "io.smallrye.mutiny.Uni", "io.smallrye.mutiny.Multi", "org.jboss.resteasy.reactive.RestMulti",
            "java.util.concurrent.CompletionStage", "java.util.concurrent.CompletableFuture", "java.util.Optional",
            "java.util.List", "java.util.Set", "java.util.Collection", "java.util.Map");
    /** Parameter annotations that mark a non-body parameter. */
    static final Set<String> PARAM_PACKAGES = Set.of("jakarta.ws.rs.", "org.jboss.resteasy.reactive.");

    static Index index;

    @BeforeAll
    static void indexClasses() throws IOException {
        assertThat(CLASSES.resolve("dev/taskmirror")).as("compiled classes").isDirectory();
        Indexer indexer = new Indexer();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("dev/taskmirror"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    indexer.index(in);
                }
            }
        }
        index = indexer.complete();
    }

    @Test
    void resourceSignaturesUseConcreteNonEntityTypes() {
        List<MethodInfo> endpoints = endpoints();
        assertThat(endpoints).as("JAX-RS methods found").hasSizeGreaterThanOrEqualTo(10);
        List<String> problems = new ArrayList<>();
        for (MethodInfo m : endpoints) {
            String where = m.declaringClass().name() + "#" + m.name();
            problems.addAll(returnProblems(m.returnType()).stream().map(p -> where + " returns " + p).toList());
            for (MethodParameterInfo param : m.parameters()) {
                if (isBody(m, param)) {
                    problems.addAll(bodyProblems(param.type()).stream()
                            .map(p -> where + " takes a body " + p).toList());
                }
            }
        }
        assertThat(problems).as("use RestResponse<T> or a record/DTO; never Response, Object or an entity")
                .isEmpty();
    }

    @Test
    void theRulesCatchTheKnownNativeBreakers() {
        Type response = Type.create(RESPONSE, Type.Kind.CLASS);
        Type object = Type.create(OBJECT, Type.Kind.CLASS);
        Type entity = Type.create(DotName.createSimple("dev.taskmirror.writeback.OutboxRecord"), Type.Kind.CLASS);
        Type restResponse = Type.create(DotName.createSimple("org.jboss.resteasy.reactive.RestResponse"),
                Type.Kind.CLASS);
        DotName list = DotName.createSimple("java.util.List");
        DotName rr = DotName.createSimple("org.jboss.resteasy.reactive.RestResponse");

        assertThat(returnProblems(response)).isNotEmpty();
        assertThat(returnProblems(object)).isNotEmpty();
        assertThat(returnProblems(entity)).isNotEmpty();
        assertThat(returnProblems(restResponse)).as("raw RestResponse").isNotEmpty();
        assertThat(returnProblems(ParameterizedType.create(list, new Type[] { entity }, null))).isNotEmpty();
        assertThat(returnProblems(ParameterizedType.create(rr, new Type[] { object }, null))).isNotEmpty();
        assertThat(bodyProblems(entity)).isNotEmpty();

        Type record = Type.create(DotName.createSimple("dev.taskmirror.api.Problem"), Type.Kind.CLASS);
        assertThat(returnProblems(ParameterizedType.create(rr, new Type[] { record }, null))).isEmpty();
        assertThat(returnProblems(Type.create(DotName.createSimple("java.lang.String"), Type.Kind.CLASS))).isEmpty();
        assertThat(returnProblems(Type.create(DotName.createSimple("void"), Type.Kind.VOID))).isEmpty();
    }

    static List<MethodInfo> endpoints() {
        List<MethodInfo> out = new ArrayList<>();
        for (ClassInfo c : index.getKnownClasses()) {
            for (MethodInfo m : c.methods()) {
                boolean http = HTTP_METHODS.stream().anyMatch(m::hasDeclaredAnnotation);
                boolean locator = m.hasDeclaredAnnotation(PATH);
                if (http || locator || m.hasDeclaredAnnotation(EXCEPTION_MAPPER)) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    static List<String> returnProblems(Type type) {
        List<String> out = new ArrayList<>();
        check(type, out, true);
        return out;
    }

    static List<String> bodyProblems(Type type) {
        List<String> out = new ArrayList<>();
        check(type, out, false);
        return out;
    }

    private static void check(Type type, List<String> out, boolean returned) {
        switch (type.kind()) {
            case VOID, PRIMITIVE, ARRAY -> {
            }
            case TYPE_VARIABLE, UNRESOLVED_TYPE_VARIABLE, WILDCARD_TYPE, TYPE_VARIABLE_REFERENCE ->
                out.add("an unresolved type " + type + " (the build cannot register it)");
            case CLASS, PARAMETERIZED_TYPE -> {
                DotName name = type.name();
                if (returned && name.equals(RESPONSE)) {
                    out.add("a raw jakarta.ws.rs.core.Response (entity type unknown at build time)");
                } else if (name.equals(OBJECT)) {
                    out.add("java.lang.Object");
                } else if (isEntity(name)) {
                    out.add("the JPA entity " + name + " (map it to a record)");
                } else if (WRAPPERS.contains(name)) {
                    if (type.kind() != Type.Kind.PARAMETERIZED_TYPE) {
                        out.add("a raw " + name + " without its type argument");
                    } else {
                        for (Type arg : type.asParameterizedType().arguments()) {
                            check(arg, out, returned);
                        }
                    }
                }
            }
        }
    }

    static boolean isEntity(DotName name) {
        ClassInfo c = index.getClassByName(name);
        while (c != null) {
            if (c.hasDeclaredAnnotation(ENTITY) || PANACHE_ENTITY.equals(c.superName())) {
                return true;
            }
            c = c.superName() == null ? null : index.getClassByName(c.superName());
        }
        return false;
    }

    /** A parameter without JAX-RS/Quarkus REST annotations that is not a context object is the request body. */
    static boolean isBody(MethodInfo m, MethodParameterInfo param) {
        if (!HTTP_METHODS.stream().anyMatch(m::hasDeclaredAnnotation)) {
            return false;
        }
        for (AnnotationInstance a : param.declaredAnnotations()) {
            String n = a.name().toString();
            if (PARAM_PACKAGES.stream().anyMatch(n::startsWith)) {
                return false;
            }
        }
        String type = param.type().name().toString();
        return !(type.startsWith("jakarta.ws.rs.") || type.startsWith("org.jboss.resteasy.reactive.")
                || type.startsWith("io.vertx."));
    }

    private static Set<DotName> names(String... names) {
        return Set.of(Stream.of(names).map(DotName::createSimple).toArray(DotName[]::new));
    }
}
