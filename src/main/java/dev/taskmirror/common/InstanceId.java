package dev.taskmirror.common;

import java.net.InetAddress;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Identity of this replica in leases and outbox claims. */
@ApplicationScoped
public class InstanceId {

    private final String id;

    InstanceId(@ConfigProperty(name = "mirror.instance-id") Optional<String> configured) {
        this.id = configured.filter(s -> !s.isBlank()).orElseGet(InstanceId::generate);
    }

    public String get() {
        return id;
    }

    private static String generate() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
