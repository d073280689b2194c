package dev.taskmirror.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The configured client keys, kept only as SHA-256 digests and compared in constant time. Keys never appear
 * in logs or errors; a client is known by the key's name.
 */
@ApplicationScoped
public class ApiKeys {

    public enum Role {
        READ, WRITE, ADMIN, METRICS
    }

    /** An authenticated client. */
    public record Client(String name, Set<Role> roles) {

        /** admin implies every role, write implies read. */
        public boolean has(Role role) {
            return roles.contains(role) || roles.contains(Role.ADMIN)
                    || role == Role.READ && roles.contains(Role.WRITE);
        }
    }

    private record Entry(String name, byte[] digest, Set<Role> roles) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<Role> anonymous;

    ApiKeys(SecurityConfig config) {
        for (String raw : config.apiKeys().orElse(List.of())) {
            if (raw.isBlank()) {
                continue;
            }
            String[] parts = raw.trim().split(":", 3);
            if (parts.length != 3 || parts[0].isBlank() || parts[2].isBlank()) {
                throw new IllegalArgumentException("mirror.security.api-keys: each entry must be name:roles:key "
                        + "(entry starting with '" + (parts[0].length() > 20 ? parts[0].substring(0, 20) : parts[0]) + "')");
            }
            String secret = parts[2].trim();
            byte[] digest = secret.startsWith("sha256:") ? HexFormat.of().parseHex(secret.substring(7))
                    : sha256(secret);
            entries.add(new Entry(parts[0].trim(), digest, roles(parts[1], "mirror.security.api-keys")));
        }
        anonymous = roles(String.join("+", config.anonymousRoles().orElse(Set.of())), "mirror.security.anonymous-roles");
    }

    /** The client owning this key, if any. */
    public Optional<Client> authenticate(String key) {
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        byte[] digest = sha256(key.trim());
        Client found = null;
        for (Entry e : entries) {
            // every entry is compared, so timing does not reveal which one matched
            if (MessageDigest.isEqual(e.digest(), digest) && found == null) {
                found = new Client(e.name(), e.roles());
            }
        }
        return Optional.ofNullable(found);
    }

    /** Roles of a request without a key on the local API. */
    public Optional<Client> anonymous() {
        return anonymous.isEmpty() ? Optional.empty() : Optional.of(new Client("anonymous", anonymous));
    }

    public boolean configured() {
        return !entries.isEmpty();
    }

    private static Set<Role> roles(String text, String setting) {
        Set<Role> out = EnumSet.noneOf(Role.class);
        for (String r : text.split("[+,\\s]+")) {
            if (r.isBlank()) {
                continue;
            }
            try {
                out.add(Role.valueOf(r.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(setting + ": unknown role '" + r + "' (read, write, admin, metrics)");
            }
        }
        return out;
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
