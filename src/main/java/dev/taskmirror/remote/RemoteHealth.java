package dev.taskmirror.remote;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;

/** Health of the remote as the circuit breaker sees it. */
@ApplicationScoped
public class RemoteHealth {

    private final CircuitBreakerMaintenance maintenance;

    RemoteHealth(CircuitBreakerMaintenance maintenance) {
        this.maintenance = maintenance;
    }

    /** closed, open or half_open. */
    public String circuitBreakerState() {
        return maintenance.currentState(XpanderCalls.BREAKER).name().toLowerCase();
    }

    public void reset() {
        maintenance.reset(XpanderCalls.BREAKER);
    }
}
