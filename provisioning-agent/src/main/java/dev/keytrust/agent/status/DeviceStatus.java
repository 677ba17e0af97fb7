package dev.keytrust.agent.status;

import dev.keytrust.agent.prereq.DeviceContext;
import dev.keytrust.agent.prereq.SessionInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The device: its context (join state, ids, the signed-in user) as far as it is known, and the
 * session.
 *
 * @param file the device context file given, or null
 * @param fileState whether the file was read
 * @param context the context read from the file, or null without one
 * @param session the session: from the file's {@code session.remote}, else detected
 * @param unknown what is not known, in words (e.g. {@code device id}, {@code cloud token})
 */
public record DeviceStatus(
    Path file, FileState fileState, DeviceContext context, SessionInfo session, List<String> unknown) {

  /** Whether a device context file was read. */
  public enum FileState {
    READ("read"),
    NOT_GIVEN("not given"),
    NOT_FOUND("not found");

    private final String words;

    FileState(String words) {
      this.words = words;
    }

    /** {@code read}, {@code not given} or {@code not found}. */
    public String words() {
      return words;
    }
  }

  public DeviceStatus {
    Objects.requireNonNull(fileState, "fileState");
    Objects.requireNonNull(session, "session");
    unknown = List.copyOf(unknown);
  }
}
