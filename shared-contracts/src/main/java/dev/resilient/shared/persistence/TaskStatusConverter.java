package dev.resilient.shared.persistence;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import dev.resilient.shared.contract.TaskStatus;

/** Stores a status as its wire value, so the column reads the same as the API ({@code in_progress}). */
@Converter
public class TaskStatusConverter implements AttributeConverter<TaskStatus, String> {

    @Override
    public String convertToDatabaseColumn(TaskStatus status) {
        return status == null ? null : status.wireValue();
    }

    @Override
    public TaskStatus convertToEntityAttribute(String value) {
        return value == null ? null : TaskStatus.fromWireValue(value);
    }
}
