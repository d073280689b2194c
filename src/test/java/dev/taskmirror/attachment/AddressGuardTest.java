package dev.taskmirror.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSRF policy of attachment probing. Only address literals and localhost: no DNS query leaves the machine. */
class AddressGuardTest {

    @ParameterizedTest(name = "{0} public={1}")
    @CsvSource({
            "8.8.8.8, true", "1.1.1.1, true", "172.32.0.1, true", "100.128.0.1, true", "2001:4860:4860::8888, true",
            "::ffff:8.8.8.8, true", "64:ff9b::808:808, true",
            "127.0.0.1, false", "127.5.5.5, false", "10.1.2.3, false", "172.16.0.1, false", "172.31.255.255, false",
            "192.168.1.1, false", "169.254.169.254, false", "100.64.0.1, false", "0.0.0.0, false", "0.1.2.3, false",
            "224.0.0.1, false", "255.255.255.255, false", "192.0.2.1, false", "198.18.0.1, false",
            "::1, false", "::, false", "fe80::1, false", "fc00::1, false", "fd12:3456::1, false", "ff02::1, false",
            "::ffff:10.0.0.1, false", "::ffff:169.254.169.254, false", "64:ff9b::a00:1, false", "2002:a00:1::, false",
            "2001:db8::1, false", "2001:0:4136:e378::1, false" })
    void classifiesAddresses(String literal, boolean expected) throws Exception {
        assertThat(AddressGuard.isPublic(InetAddress.getByName(literal))).isEqualTo(expected);
    }

    @Test
    void onlyHttpAndHttpsWithAHost() {
        AddressGuard guard = new AddressGuard(true, List.of());
        for (String url : List.of("ftp://8.8.8.8/a.pdf", "file:///etc/passwd", "gopher://8.8.8.8/", "javascript:alert(1)",
                "/relative/path.pdf", "http:///nohost.pdf", "http://exa mple.com/a.pdf")) {
            assertThatThrownBy(() -> guard.check(url)).as(url).isInstanceOf(AddressGuard.Refused.class);
        }
    }

    @Test
    void refusesNonPublicAddressesUnlessAllowed() throws Exception {
        AddressGuard strict = new AddressGuard(false, List.of());
        for (String url : List.of("http://127.0.0.1:8080/a.pdf", "http://localhost/a.pdf", "http://[::1]/a.pdf",
                "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/x", "http://[::ffff:192.168.0.1]/x",
                "http://0.0.0.0:9090/")) {
            assertThatThrownBy(() -> strict.check(url)).as(url).isInstanceOf(AddressGuard.Refused.class)
                    .hasMessageContaining("non-public address");
        }
        AddressGuard.Target t = strict.check("http://8.8.8.8/reports/q3.pdf?sig=a%2Fb");
        assertThat(t.address().getHostAddress()).isEqualTo("8.8.8.8");
        assertThat(t.port()).isEqualTo(80);
        assertThat(t.https()).isFalse();
        assertThat(t.pathAndQuery()).isEqualTo("/reports/q3.pdf?sig=a%2Fb");
        AddressGuard.Target tls = strict.check("https://1.1.1.1/r%C3%A9sum%C3%A9.pdf");
        assertThat(tls.port()).isEqualTo(443);
        assertThat(tls.https()).isTrue();
        assertThat(strict.check("http://8.8.8.8/résumé.pdf").pathAndQuery()).as("sent percent-encoded")
                .isEqualTo("/r%C3%A9sum%C3%A9.pdf");

        AddressGuard open = new AddressGuard(true, List.of());
        assertThat(open.check("http://127.0.0.1:8080/a.pdf").address().isLoopbackAddress()).isTrue();
        assertThat(open.check("http://[::1]:8080/").host()).isEqualTo("::1");
    }

    @Test
    void anAllowedHostIsExemptByNameOnly() throws Exception {
        AddressGuard guard = new AddressGuard(false, List.of(" 127.0.0.1 "));
        assertThat(guard.check("http://127.0.0.1:1234/a.pdf").port()).isEqualTo(1234);
        assertThatThrownBy(() -> guard.check("http://localhost:1234/a.pdf")).as("same address, other name")
                .isInstanceOf(AddressGuard.Refused.class);
        assertThatThrownBy(() -> guard.check("http://127.0.0.2:1234/a.pdf")).isInstanceOf(AddressGuard.Refused.class);
    }
}
