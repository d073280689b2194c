package dev.taskmirror.task;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** AgentExecutionStatus of the remote contract. */
public enum TaskStatus {
    PENDING, EXECUTING, PAUSED, ERROR, FAILED, COMPLETED, STOPPED;

    public static final List<String> UNFINISHED = List.of("pending", "executing", "paused");
    public static final List<String> VALUES = Arrays.stream(values()).map(TaskStatus::wire).toList();

    public String wire() {
        return name().toLowerCase();
    }

    public boolean terminal() {
        return this == ERROR || this == FAILED || this == COMPLETED || this == STOPPED;
    }

    public static Optional<TaskStatus> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (TaskStatus s : values()) {
            if (s.wire().equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static boolean isTerminal(String value) {
        return fromWire(value).map(TaskStatus::terminal).orElse(false);
    }
}
