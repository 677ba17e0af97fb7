package dev.keytrust.agent.policy;

/**
 * One (scope, source) pair, declared in precedence order, highest first, as Windows enforces
 * PassportForWork settings: user GPO, computer GPO, user MDM, computer MDM. For each setting the
 * first layer that configures it wins; the others are ignored.
 */
public enum PolicyLayer {
  USER_GPO(PolicyScope.USER, PolicySource.GROUP_POLICY),
  COMPUTER_GPO(PolicyScope.COMPUTER, PolicySource.GROUP_POLICY),
  USER_MDM(PolicyScope.USER, PolicySource.MDM),
  COMPUTER_MDM(PolicyScope.COMPUTER, PolicySource.MDM);

  private final PolicyScope scope;
  private final PolicySource source;

  PolicyLayer(PolicyScope scope, PolicySource source) {
    this.scope = scope;
    this.source = source;
  }

  public PolicyScope scope() {
    return scope;
  }

  public PolicySource source() {
    return source;
  }

  /** The file name of this layer inside its folder: {@code gpo.properties} or {@code mdm.properties}. */
  public String fileName() {
    return source.label() + ".properties";
  }

  /** For reports: {@code user GPO}, {@code computer MDM}, ... */
  public String describe() {
    return scope.label() + " " + source.label().toUpperCase(java.util.Locale.ROOT);
  }
}
