package dev.taskmirror.remote;

import java.util.List;
import java.util.Optional;

/**
 * Supplies the remote endpoint when it is not configured, e.g. the built-in simulator in dev mode and
 * tests. Production builds contain no implementation, so the configured xpander endpoint is used.
 */
public interface RemoteEndpointOverride {

    /** Base URL of the xpander-compatible Tasks API, without a trailing slash. */
    String baseUrl();

    /** The x-api-key the mirror must send. */
    String apiKey();

    /** Organization id, used in event-stream URLs. */
    Optional<String> organizationId();

    /** Agents to mirror when none are configured. */
    List<String> agentIds();
}
