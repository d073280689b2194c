package dev.taskmirror.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SimulatorMainTest {

    @Test
    void parsesCommandLine() {
        SimulatorMain.Config c = SimulatorMain.parse(new String[] {"--port=9090", "--seed=7", "--agents=5",
                "--tasks=100000", "--api-key=k", "--org=o", "--tick=250ms", "--arrival=0.5/s", "--edits=30/h",
                "--execution=2s..4s", "--auto-register-agents"});
        assertThat(c.port()).isEqualTo(9090);
        SimulatorOptions o = c.options();
        assertThat(o.seed()).isEqualTo(7);
        assertThat(o.agents()).isEqualTo(5);
        assertThat(o.tasks()).isEqualTo(100_000);
        assertThat(o.apiKey()).isEqualTo("k");
        assertThat(o.organizationId()).isEqualTo("o");
        assertThat(o.tickInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.manualClock()).isFalse();
        assertThat(o.arrivalsPerMinute()).isEqualTo(30.0);
        assertThat(o.remoteEditsPerMinute()).isEqualTo(0.5);
        assertThat(o.executionTime()).isEqualTo(SimulatorOptions.Span.of(Duration.ofSeconds(2), Duration.ofSeconds(4)));
        assertThat(o.autoRegisterAgents()).isTrue();

        assertThat(SimulatorMain.parse(new String[] {"--tick=off"}).options().manualClock()).isTrue();
        assertThat(SimulatorMain.parse(new String[] {"--help"})).isNull();
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--bogus=1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--port=abc"}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesDurationsAndRates() {
        assertThat(SimulatorOptions.parseDuration("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(SimulatorOptions.parseDuration("0")).isZero();
        assertThat(SimulatorOptions.parseDuration("off")).isZero();
        assertThat(SimulatorOptions.parseDuration("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(SimulatorOptions.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(SimulatorOptions.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(SimulatorOptions.parseRatePerMinute("6/min")).isEqualTo(6.0);
        assertThat(SimulatorOptions.parseRatePerMinute("120/h")).isEqualTo(2.0);
        assertThat(SimulatorOptions.parseRatePerMinute("3")).isEqualTo(3.0);
    }
}
