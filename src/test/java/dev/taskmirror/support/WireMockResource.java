package dev.taskmirror.support;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A WireMock server standing in for xpander when a test scripts exact responses. */
public class WireMockResource implements QuarkusTestResourceLifecycleManager {

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        server.start();
        return Map.of(
                "xpander.api-key", "wiremock-key",
                "xpander.base-url", "http://localhost:" + server.port(),
                "xpander.organization-id", "org-wiremock",
                "xpander.retry.initial-delay", "5ms",
                "xpander.retry.max-delay", "20ms",
                "xpander.read-timeout", "1s");
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.MatchesType(WireMockServer.class));
    }
}
