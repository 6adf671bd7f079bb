package dev.resilient.shared.contract;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a task stands; the lowercase wire value is what clients send, receive and PostgreSQL stores. */
public enum TaskStatus {
    @JsonProperty("pending")
    PENDING("pending"),
    @JsonProperty("in_progress")
    IN_PROGRESS("in_progress"),
    @JsonProperty("completed")
    COMPLETED("completed");

    private final String wireValue;

    TaskStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }

    /** The wire values, in declaration order, for messages that list what is allowed. */
    public static List<String> wireValues() {
        return Arrays.stream(values()).map(TaskStatus::wireValue).toList();
    }

    /** The status with this wire value; unknown values are a programming or data error, not user input. */
    public static TaskStatus fromWireValue(String value) {
        for (var status : values()) {
            if (status.wireValue.equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException("Unknown task status: " + value);
    }
}
