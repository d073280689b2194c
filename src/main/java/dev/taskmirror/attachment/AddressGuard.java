package dev.taskmirror.attachment;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The SSRF policy of attachment probing: which URLs the service may send a request to. Only {@code http} and
 * {@code https}; the host is resolved here and <em>every</em> address it resolves to must be public, else the
 * URL is refused; the request then goes to exactly the address checked (no second lookup that a rebinding
 * DNS server could answer differently). Refused unless allowed by configuration: loopback, link-local
 * (including cloud metadata endpoints such as 169.254.169.254), private (10/8, 172.16/12, 192.168/16,
 * fc00::/7), carrier-grade NAT (100.64/10), "this network" (0/8), multicast, broadcast and reserved
 * ranges, IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4) by the embedded address.
 */
public final class AddressGuard {

    /** A URL the policy refuses, with the reason. */
    public static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Where a request may go: the host to name (Host header, TLS SNI) and the checked address to connect to. */
    public record Target(URI uri, boolean https, String host, int port, InetAddress address, String pathAndQuery) {
    }

    private final boolean allowPrivate;
    private final Set<String> allowedHosts;

    public AddressGuard(boolean allowPrivate, List<String> allowedHosts) {
        this.allowPrivate = allowPrivate;
        this.allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** Checks a URL and resolves its host; the request must connect to {@link Target#address()}. */
    public Target check(String url) throws Refused {
        URI uri;
        try {
            // ASCII form: non-ASCII path characters are percent-encoded, as they must be on the wire.
            uri = URI.create(new URI(url.strip()).toASCIIString());
        } catch (Exception e) {
            throw new Refused("not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("only http and https URLs are probed");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new Refused("the URL has no host");
        }
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bareHost);
        } catch (UnknownHostException e) {
            throw new Refused("unknown host " + bareHost);
        } catch (RuntimeException e) {
            throw new Refused("invalid host " + bareHost);
        }
        if (!allowPrivate && !allowedHosts.contains(bareHost.toLowerCase(Locale.ROOT))) {
            for (InetAddress a : addresses) {
                if (!isPublic(a)) {
                    throw new Refused(bareHost + " resolves to the non-public address " + a.getHostAddress());
                }
            }
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String pathAndQuery = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return new Target(uri, https, bareHost, port, addresses[0], pathAndQuery);
    }

    /** True for globally routable unicast addresses. */
    public static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return isPublicV4(b);
        }
        if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return false; // fc00::/7 unique local
            }
            if (allZero(b, 0, 10) && ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff || allZero(b, 10, 12))) {
                return isPublicV4(Arrays.copyOfRange(b, 12, 16)); // ::ffff:a.b.c.d and ::a.b.c.d
            }
            if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
                return isPublicV4(Arrays.copyOfRange(b, 12, 16)); // 64:ff9b::/96 NAT64
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x02) {
                return isPublicV4(Arrays.copyOfRange(b, 2, 6)); // 2002::/16 6to4
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0 && b[3] == 0) {
                return false; // 2001::/32 Teredo: tunnels to arbitrary IPv4 addresses
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return false; // 2001:db8::/32 documentation
            }
            return (first & 0xe0) == 0x20; // 2000::/3 is the global unicast space
        }
        return false;
    }

    private static boolean isPublicV4(byte[] b) {
        int a0 = b[0] & 0xff, a1 = b[1] & 0xff, a2 = b[2] & 0xff;
        return !(a0 == 0 // this network
                || a0 == 10 || a0 == 127 // private, loopback
                || a0 == 100 && a1 >= 64 && a1 <= 127 // carrier-grade NAT
                || a0 == 169 && a1 == 254 // link-local, cloud metadata
                || a0 == 172 && a1 >= 16 && a1 <= 31 || a0 == 192 && a1 == 168 // private
                || a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2) // IETF protocol assignments, documentation
                || a0 == 198 && (a1 == 18 || a1 == 19) // benchmarking
                || a0 == 198 && a1 == 51 && a2 == 100 || a0 == 203 && a1 == 0 && a2 == 113 // documentation
                || a0 >= 224); // multicast, reserved, broadcast
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
