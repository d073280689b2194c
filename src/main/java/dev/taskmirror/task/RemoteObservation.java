package dev.taskmirror.task;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A full task document read from the remote.
 *
 * @param raw the remote document as received (may contain secrets; never stored as is). Applying it hands
 *        it over to the store, which redacts it in place.
 * @param observedAt when the request that returned it was sent: a later request reflects a later state
 * @param listItem the list entry that triggered the fetch, if any (carries the remote {@code updated_at})
 */
public record RemoteObservation(String id, ObjectNode raw, Instant observedAt, ObjectNode listItem) {
}
