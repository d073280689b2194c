package dev.taskmirror.ops;

import java.util.Arrays;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * Ready only once every migration this build knows is applied. With Flyway at start-up that holds as soon
 * as the service started; when migrations run elsewhere ({@code QUARKUS_FLYWAY_MIGRATE_AT_START=false}),
 * the pod waits for them. Once true it is remembered: later probes cost nothing. Database reachability
 * itself is the datasource's own readiness check.
 */
@Readiness
@ApplicationScoped
public class SchemaReadinessCheck implements HealthCheck {

    static final String NAME = "database schema";

    private final Instance<Flyway> flyway;
    private volatile boolean migrated;

    SchemaReadinessCheck(Instance<Flyway> flyway) {
        this.flyway = flyway;
    }

    @Override
    public HealthCheckResponse call() {
        if (migrated) {
            return HealthCheckResponse.up(NAME);
        }
        try {
            MigrationInfo[] pending = flyway.get().info().pending();
            if (pending.length == 0) {
                migrated = true;
                return HealthCheckResponse.up(NAME);
            }
            return HealthCheckResponse.named(NAME).down().withData("pending", Arrays.stream(pending)
                    .map(m -> String.valueOf(m.getVersion())).collect(Collectors.joining(", "))).build();
        } catch (RuntimeException e) {
            return HealthCheckResponse.named(NAME).down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
