package dev.taskmirror.ops;

import java.time.Duration;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * A few fixed histogram buckets (not Micrometer's ~70 percentile buckets) for request latency per route
 * and sync cycle duration, so dashboards can compute quantiles at a bounded series count.
 */
@Singleton
public class MetricsFilters {

    private static final double[] HTTP_BUCKETS = nanos(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10));
    private static final double[] CYCLE_BUCKETS = nanos(Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5));

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                double[] buckets = switch (id.getName()) {
                    case "http.server.requests" -> HTTP_BUCKETS;
                    case "mirror.sync.cycle" -> CYCLE_BUCKETS;
                    default -> null;
                };
                if (buckets == null) {
                    return config;
                }
                return DistributionStatisticConfig.builder().serviceLevelObjectives(buckets).build().merge(config);
            }
        };
    }

    private static double[] nanos(Duration... values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i].toNanos();
        }
        return out;
    }
}
