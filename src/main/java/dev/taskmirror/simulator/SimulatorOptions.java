package dev.taskmirror.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Configuration of an {@link XpanderSimulator}. Immutable; use {@link #builder()} or {@link #toBuilder()}.
 *
 * <p>{@link #defaults()} is tuned for tests: manual clock starting at {@link #DEFAULT_START}, no arrivals,
 * no remote edits, 300 seeded tasks over 3 agents. {@link SimulatorMain} and {@link SimulatorServer} switch
 * to a real-time clock with arrivals.
 *
 * @param seed                   seed of every random choice (ids, content, lifecycle durations)
 * @param agents                 number of seeded agents in the demo organization
 * @param tasks                  total number of seeded tasks, spread over the agents
 * @param apiKey                 API key of the demo organization
 * @param organizationId         id of the demo organization
 * @param manualClock            true: time only moves through {@link XpanderSimulator#advance(Duration)};
 *                               false: wall-clock time (plus any offset added by {@code advance})
 * @param startTime              start of the manual clock (ignored with a real-time clock)
 * @param tickInterval           period of the automatic ticker used by {@link SimulatorMain} and
 *                               {@link SimulatorServer}; {@link Duration#ZERO} means no ticker
 * @param arrivalsPerMinute      rate of new tasks created by simulated clients (Poisson); 0 disables
 * @param remoteEditsPerMinute   rate of edits by other simulated actors (status, internal_status, title); 0 disables
 * @param pendingTime            how long a task stays {@code pending} before a worker picks it up
 * @param executionTime          how long a task executes (pauses excluded)
 * @param pauseTime              how long a paused task stays paused
 * @param pauseProbability       probability that a task pauses once while executing
 * @param seedHistory            seeded tasks are created over this period before the start time
 * @param driveCreatedTasks      whether tasks created through the API are driven by the lifecycle engine
 * @param autoRegisterAgents     unknown agent ids on create/list/report are registered instead of answering 404
 * @param sseKeepAlive           interval of {@code : keep-alive} comment lines on event streams
 * @param journalSize            number of requests kept in the request journal
 * @param listCap                maximum list length (0 = unlimited)
 * @param authFailureStatus      status for a missing or unknown API key (403 like the inbound host, or 401)
 * @param crossAgentIdStatus     status when a create reuses the id of another agent's task (409 or 400)
 * @param includeUpdatedAtInTask also emit {@code updated_at} on full Task objects (the real server does not)
 */
public record SimulatorOptions(
        long seed,
        int agents,
        int tasks,
        String apiKey,
        String organizationId,
        boolean manualClock,
        Instant startTime,
        Duration tickInterval,
        double arrivalsPerMinute,
        double remoteEditsPerMinute,
        Span pendingTime,
        Span executionTime,
        Span pauseTime,
        double pauseProbability,
        Duration seedHistory,
        boolean driveCreatedTasks,
        boolean autoRegisterAgents,
        Duration sseKeepAlive,
        int journalSize,
        int listCap,
        int authFailureStatus,
        int crossAgentIdStatus,
        boolean includeUpdatedAtInTask) {

    /** Organization id used unless configured otherwise. */
    public static final String DEFAULT_ORGANIZATION_ID = "0f4a8e2c-61b7-4d9a-8e35-c2d7b9a1f604";
    /** API key used unless configured otherwise. */
    public static final String DEFAULT_API_KEY = "sim-demo-key";
    /** Start of the manual clock unless configured otherwise. */
    public static final Instant DEFAULT_START = Instant.parse("2026-03-02T09:00:00Z");

    public SimulatorOptions {
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(organizationId, "organizationId");
        Objects.requireNonNull(tickInterval, "tickInterval");
        Objects.requireNonNull(pendingTime, "pendingTime");
        Objects.requireNonNull(executionTime, "executionTime");
        Objects.requireNonNull(pauseTime, "pauseTime");
        Objects.requireNonNull(seedHistory, "seedHistory");
        Objects.requireNonNull(sseKeepAlive, "sseKeepAlive");
        if (startTime == null) {
            startTime = DEFAULT_START;
        }
        if (agents < 0 || tasks < 0) {
            throw new IllegalArgumentException("agents and tasks must not be negative");
        }
        if (tasks > 0 && agents == 0) {
            throw new IllegalArgumentException("seeded tasks need at least one agent");
        }
        if (arrivalsPerMinute < 0 || remoteEditsPerMinute < 0) {
            throw new IllegalArgumentException("rates must not be negative");
        }
        if (pauseProbability < 0 || pauseProbability > 1) {
            throw new IllegalArgumentException("pauseProbability must be within [0, 1]");
        }
        if (journalSize < 0 || listCap < 0) {
            throw new IllegalArgumentException("journalSize and listCap must not be negative");
        }
    }

    /** Test-friendly defaults (manual clock, no arrivals, no remote edits). */
    public static SimulatorOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Inclusive range of durations; values are drawn uniformly from it. */
    public record Span(Duration min, Duration max) {
        public Span {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("invalid span " + min + ".." + max);
            }
        }

        public static Span of(Duration min, Duration max) {
            return new Span(min, max);
        }

        public static Span fixed(Duration value) {
            return new Span(value, value);
        }

        /** Parses {@code 1s..5s}, {@code 200ms..2s} or a single duration such as {@code 3s}. */
        public static Span parse(String text) {
            int dots = text.indexOf("..");
            if (dots < 0) {
                return fixed(parseDuration(text));
            }
            return of(parseDuration(text.substring(0, dots)), parseDuration(text.substring(dots + 2)));
        }
    }

    /**
     * Parses {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 3d}, a plain number of seconds or an ISO-8601
     * duration ({@code PT1S}). {@code off} and {@code 0} parse to zero.
     */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("off") || s.equals("0") || s.equals("false") || s.equals("none")) {
            return Duration.ZERO;
        }
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        }
        String number;
        long unitMillis;
        if (s.endsWith("ms")) {
            number = s.substring(0, s.length() - 2);
            unitMillis = 1;
        } else if (s.endsWith("s")) {
            number = s.substring(0, s.length() - 1);
            unitMillis = 1_000;
        } else if (s.endsWith("m")) {
            number = s.substring(0, s.length() - 1);
            unitMillis = 60_000;
        } else if (s.endsWith("h")) {
            number = s.substring(0, s.length() - 1);
            unitMillis = 3_600_000;
        } else if (s.endsWith("d")) {
            number = s.substring(0, s.length() - 1);
            unitMillis = 86_400_000;
        } else {
            number = s;
            unitMillis = 1_000;
        }
        double value = Double.parseDouble(number.trim());
        return Duration.ofNanos(Math.round(value * unitMillis * 1_000_000d));
    }

    /** Parses a rate: {@code 6/min}, {@code 0.5/s}, {@code 30/h} or a plain number (per minute). Returns per minute. */
    public static double parseRatePerMinute(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("off")) {
            return 0;
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            return Double.parseDouble(s);
        }
        double value = Double.parseDouble(s.substring(0, slash).trim());
        String unit = s.substring(slash + 1).trim();
        return switch (unit) {
            case "s", "sec", "second" -> value * 60;
            case "m", "min", "minute" -> value;
            case "h", "hour" -> value / 60;
            case "d", "day" -> value / 1440;
            default -> throw new IllegalArgumentException("unknown rate unit: " + unit);
        };
    }

    /** Mutable builder of {@link SimulatorOptions}. */
    public static final class Builder {
        private long seed = 42;
        private int agents = 3;
        private int tasks = 300;
        private String apiKey = DEFAULT_API_KEY;
        private String organizationId = DEFAULT_ORGANIZATION_ID;
        private boolean manualClock = true;
        private Instant startTime = DEFAULT_START;
        private Duration tickInterval = Duration.ofSeconds(1);
        private double arrivalsPerMinute = 0;
        private double remoteEditsPerMinute = 0;
        private Span pendingTime = Span.of(Duration.ofSeconds(1), Duration.ofSeconds(5));
        private Span executionTime = Span.of(Duration.ofSeconds(5), Duration.ofSeconds(45));
        private Span pauseTime = Span.of(Duration.ofSeconds(5), Duration.ofSeconds(20));
        private double pauseProbability = 0.15;
        private Duration seedHistory = Duration.ofDays(7);
        private boolean driveCreatedTasks = true;
        private boolean autoRegisterAgents = false;
        private Duration sseKeepAlive = Duration.ofSeconds(5);
        private int journalSize = 1000;
        private int listCap = 0;
        private int authFailureStatus = 403;
        private int crossAgentIdStatus = 409;
        private boolean includeUpdatedAtInTask = false;

        private Builder() {
        }

        private Builder(SimulatorOptions o) {
            seed = o.seed;
            agents = o.agents;
            tasks = o.tasks;
            apiKey = o.apiKey;
            organizationId = o.organizationId;
            manualClock = o.manualClock;
            startTime = o.startTime;
            tickInterval = o.tickInterval;
            arrivalsPerMinute = o.arrivalsPerMinute;
            remoteEditsPerMinute = o.remoteEditsPerMinute;
            pendingTime = o.pendingTime;
            executionTime = o.executionTime;
            pauseTime = o.pauseTime;
            pauseProbability = o.pauseProbability;
            seedHistory = o.seedHistory;
            driveCreatedTasks = o.driveCreatedTasks;
            autoRegisterAgents = o.autoRegisterAgents;
            sseKeepAlive = o.sseKeepAlive;
            journalSize = o.journalSize;
            listCap = o.listCap;
            authFailureStatus = o.authFailureStatus;
            crossAgentIdStatus = o.crossAgentIdStatus;
            includeUpdatedAtInTask = o.includeUpdatedAtInTask;
        }

        public Builder seed(long v) { seed = v; return this; }
        public Builder agents(int v) { agents = v; return this; }
        public Builder tasks(int v) { tasks = v; return this; }
        public Builder apiKey(String v) { apiKey = v; return this; }
        public Builder organizationId(String v) { organizationId = v; return this; }
        public Builder manualClock(boolean v) { manualClock = v; return this; }
        public Builder startTime(Instant v) { startTime = v; return this; }
        public Builder tickInterval(Duration v) { tickInterval = v; return this; }
        public Builder arrivalsPerMinute(double v) { arrivalsPerMinute = v; return this; }
        public Builder remoteEditsPerMinute(double v) { remoteEditsPerMinute = v; return this; }
        public Builder pendingTime(Span v) { pendingTime = v; return this; }
        public Builder executionTime(Span v) { executionTime = v; return this; }
        public Builder pauseTime(Span v) { pauseTime = v; return this; }
        public Builder pauseProbability(double v) { pauseProbability = v; return this; }
        public Builder seedHistory(Duration v) { seedHistory = v; return this; }
        public Builder driveCreatedTasks(boolean v) { driveCreatedTasks = v; return this; }
        public Builder autoRegisterAgents(boolean v) { autoRegisterAgents = v; return this; }
        public Builder sseKeepAlive(Duration v) { sseKeepAlive = v; return this; }
        public Builder journalSize(int v) { journalSize = v; return this; }
        public Builder listCap(int v) { listCap = v; return this; }
        public Builder authFailureStatus(int v) { authFailureStatus = v; return this; }
        public Builder crossAgentIdStatus(int v) { crossAgentIdStatus = v; return this; }
        public Builder includeUpdatedAtInTask(boolean v) { includeUpdatedAtInTask = v; return this; }

        public SimulatorOptions build() {
            return new SimulatorOptions(seed, agents, tasks, apiKey, organizationId, manualClock, startTime,
                    tickInterval, arrivalsPerMinute, remoteEditsPerMinute, pendingTime, executionTime, pauseTime,
                    pauseProbability, seedHistory, driveCreatedTasks, autoRegisterAgents, sseKeepAlive, journalSize,
                    listCap, authFailureStatus, crossAgentIdStatus, includeUpdatedAtInTask);
        }
    }
}
