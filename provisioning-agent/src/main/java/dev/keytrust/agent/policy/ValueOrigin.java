package dev.keytrust.agent.policy;

import java.nio.file.Path;
import java.util.Objects;

/** Where an effective value came from: a line of a policy file, or the setting's default. */
public sealed interface ValueOrigin permits ValueOrigin.Default, ValueOrigin.Configured {

  /** The origin of a value no layer configures. */
  ValueOrigin DEFAULT = new Default();

  /** For reports: {@code default} or {@code user GPO /etc/keytrust/policy/users/alice/gpo.properties:3}. */
  String describe();

  /** The setting's default: no policy file configures it (or its configured values were rejected). */
  record Default() implements ValueOrigin {
    @Override
    public String describe() {
      return "default";
    }
  }

  /**
   * A value configured in a policy file.
   *
   * @param layer the scope and source of the file
   * @param file the policy file
   * @param line the 1-based line that sets the value
   */
  record Configured(PolicyLayer layer, Path file, int line) implements ValueOrigin {
    public Configured {
      Objects.requireNonNull(layer, "layer");
      Objects.requireNonNull(file, "file");
    }

    public PolicyScope scope() {
      return layer.scope();
    }

    public PolicySource source() {
      return layer.source();
    }

    @Override
    public String describe() {
      return layer.describe() + " " + file + ":" + line;
    }
  }
}
