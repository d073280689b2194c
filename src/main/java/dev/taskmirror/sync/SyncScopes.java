package dev.taskmirror.sync;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.taskmirror.remote.RemoteEndpoint;

/** The scopes this deployment mirrors: configured agents (or the simulator's) and configured end users. */
@ApplicationScoped
public class SyncScopes {

    private final SyncConfig config;
    private final RemoteEndpoint endpoint;

    SyncScopes(SyncConfig config, RemoteEndpoint endpoint) {
        this.config = config;
        this.endpoint = endpoint;
    }

    public List<SyncScope> all() {
        Set<SyncScope> scopes = new LinkedHashSet<>();
        List<String> agents = config.agentIds().orElse(List.of()).stream().filter(s -> !s.isBlank()).toList();
        if (agents.isEmpty()) {
            agents = endpoint.defaultAgentIds();
        }
        agents.forEach(a -> scopes.add(SyncScope.agent(a.trim())));
        config.userIds().orElse(List.of()).stream().filter(s -> !s.isBlank())
                .forEach(u -> scopes.add(SyncScope.user(u.trim())));
        return new ArrayList<>(scopes);
    }

    public List<String> agentIds() {
        return all().stream().filter(s -> "agent".equals(s.kind())).map(SyncScope::refId).toList();
    }
}
