package dev.keytrust.agent.status;

import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to report on. Every part is optional: without a user there is no user section, without a
 * policy directory every setting is at its default, without a device context file the lines that
 * need it are Not Tested, without a key store folder the default one is read, without a state
 * folder the PIN expiry is not shown, and without a TPM the platform's ({@code auto}) is probed.
 */
public final class StatusRequest {
  private final String user;
  private final Path policyDir;
  private final Path deviceFile;
  private final Path storeRoot;
  private final Path stateDir;
  private final TpmChoice.Chooser tpm;

  private StatusRequest(Builder b) {
    this.user = b.user;
    this.policyDir = b.policyDir;
    this.deviceFile = b.deviceFile;
    this.storeRoot = b.storeRoot;
    this.stateDir = b.stateDir;
    this.tpm = b.tpm;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The user whose key, records and user policy to read, or null. */
  public String user() {
    return user;
  }

  /** The policy directory, or null. */
  public Path policyDir() {
    return policyDir;
  }

  /** The device context file, or null. */
  public Path deviceFile() {
    return deviceFile;
  }

  /** The key store folder, or null for the default one. */
  public Path storeRoot() {
    return storeRoot;
  }

  /** The agent's state folder (the PIN's set time), or null: the PIN expiry is not shown. */
  public Path stateDir() {
    return stateDir;
  }

  /** How the TPM is chosen. */
  public TpmChoice.Chooser tpm() {
    return tpm;
  }

  /** Sets the parts of a {@link StatusRequest}; all are optional. */
  public static final class Builder {
    private String user;
    private Path policyDir;
    private Path deviceFile;
    private Path storeRoot;
    private Path stateDir;
    private TpmChoice.Chooser tpm =
        () -> TpmChoice.named(TpmUri.parse(TpmUri.AUTO), TpmSource.PLATFORM_DEFAULT);

    private Builder() {}

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder policyDir(Path policyDir) {
      this.policyDir = policyDir;
      return this;
    }

    public Builder deviceFile(Path deviceFile) {
      this.deviceFile = deviceFile;
      return this;
    }

    public Builder storeRoot(Path storeRoot) {
      this.storeRoot = storeRoot;
      return this;
    }

    public Builder stateDir(Path stateDir) {
      this.stateDir = stateDir;
      return this;
    }

    /** Probes this TPM ({@link TpmSource#GIVEN}). */
    public Builder tpm(TpmUri uri) {
      TpmChoice choice = TpmChoice.named(uri, TpmSource.GIVEN);
      this.tpm = () -> choice;
      return this;
    }

    /** Probes the TPM {@code chooser} picks when the probe comes to the TPM. */
    public Builder tpm(TpmChoice.Chooser chooser) {
      this.tpm = Objects.requireNonNull(chooser, "chooser");
      return this;
    }

    public StatusRequest build() {
      return new StatusRequest(this);
    }
  }
}
