package dev.taskmirror.common;

import java.net.InetAddress;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/** Identity of this replica in leases and outbox claims. */
@ApplicationScoped
public class InstanceId {

    private final String id;

    InstanceId(InstanceConfig config) {
        this.id = config.value().filter(s -> !s.isBlank()).orElseGet(InstanceId::generate);
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
