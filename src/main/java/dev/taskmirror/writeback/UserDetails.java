package dev.taskmirror.writeback;

import java.util.Map;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The end user a task runs for (the SDK's User; {@code email} is required by the SDK's model). */
@Schema(name = "UserDetails")
public record UserDetails(
        @Size(max = 255) String id,
        @Size(max = 255) String firstName,
        @Size(max = 255) String lastName,
        @NotBlank @Email @Size(max = 320) String email,
        Map<String, Object> additionalAttributes,
        @Size(max = 64) String timezone) {
}
