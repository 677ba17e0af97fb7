package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import dev.keytrust.store.TextRecord;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RFC 6238 §5.2: a code is accepted once. Per user, the last accepted time step is kept (in a state
 * file {@code totp-used-<sha256(user)>}, or in memory); a code is accepted only for a later step, so
 * neither the same code nor an older one still inside the window passes again. Accepting is
 * serialized within this JVM; two agent processes racing on one state directory are not.
 */
final class TotpReplayGuard {
  static final String KIND = "totp-used";
  static final String FORMAT = "keytrust-totp-used";
  static final int VERSION = 1;

  private final StateFiles files;
  private final Map<String, Long> memory = new ConcurrentHashMap<>();

  TotpReplayGuard(Optional<Path> stateDir) {
    this.files = stateDir.map(d -> new StateFiles(d, AgentErrorCode.MFA_STATE_IO, "MFA state")).orElse(null);
  }

  /** The last accepted step, if any (also checks the state file is usable). */
  synchronized Optional<Long> lastAccepted(String user) throws AgentException {
    if (files == null) {
      return Optional.ofNullable(memory.get(user));
    }
    Path file = files.fileFor(KIND, user);
    Optional<TextRecord> rec = files.read(file, FORMAT, VERSION);
    if (rec.isEmpty()) {
      return Optional.empty();
    }
    String step = rec.get().get("last-step").orElse("");
    if (!rec.get().get("user").orElse("").equals(user) || !step.matches("-?[0-9]{1,18}")) {
      throw new AgentException(AgentErrorCode.MFA_STATE_IO, "The TOTP state file " + file + " is damaged: remove it"
          + " (codes of the last minute could then be used once more).");
    }
    return Optional.of(Long.parseLong(step));
  }

  /** Accepts {@code step} for {@code user} when it is later than every step accepted before, and records it. */
  synchronized boolean accept(String user, long step) throws AgentException {
    Optional<Long> last = lastAccepted(user);
    if (last.isPresent() && step <= last.get()) {
      return false;
    }
    if (files == null) {
      memory.put(user, step);
    } else {
      files.write(files.fileFor(KIND, user), new TextRecord.Writer(FORMAT, VERSION)
          .text("user", user)
          .text("last-step", Long.toString(step)));
    }
    return true;
  }
}
