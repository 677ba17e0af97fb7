package dev.keytrust.agent.prereq;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the embedding agent knows about the device and the signed-in user: the facts the
 * prerequisite checks test. The CLI reads one from a file ({@link DeviceContextFile}).
 *
 * @param joinState how the device is joined
 * @param deviceId the device's id in the cloud directory (empty when not registered or unknown)
 * @param tenantId the tenant the device is registered in
 * @param verifiedDomains the tenant's verified domains, lower case (empty when unknown)
 * @param user the signed-in user
 * @param session whether the session is remote
 * @param tpm the TPM's state
 */
public record DeviceContext(
    JoinState joinState,
    Optional<String> deviceId,
    Optional<String> tenantId,
    List<String> verifiedDomains,
    UserIdentity user,
    SessionInfo session,
    TpmState tpm) {

  public DeviceContext {
    Objects.requireNonNull(joinState, "joinState");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(tenantId, "tenantId");
    List<String> domains = new ArrayList<>();
    for (String d : verifiedDomains) {
      domains.add(d.toLowerCase(Locale.ROOT));
    }
    verifiedDomains = List.copyOf(domains);
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(tpm, "tpm");
  }

  /** True when {@code domain} is one of the tenant's verified domains (compared without case). */
  public boolean isVerifiedDomain(String domain) {
    return verifiedDomains.contains(domain.toLowerCase(Locale.ROOT));
  }

  /** A builder; join state and session must be set, the rest defaults to unknown or empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this context's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.joinState = joinState;
    b.deviceId = deviceId;
    b.tenantId = tenantId;
    b.verifiedDomains = verifiedDomains;
    b.user = user;
    b.session = session;
    b.tpm = tpm;
    return b;
  }

  /** Builds a {@link DeviceContext}. */
  public static final class Builder {
    private JoinState joinState;
    private Optional<String> deviceId = Optional.empty();
    private Optional<String> tenantId = Optional.empty();
    private List<String> verifiedDomains = List.of();
    private UserIdentity user = UserIdentity.unknown();
    private SessionInfo session;
    private TpmState tpm = TpmState.unknown();

    private Builder() {}

    public Builder joinState(JoinState joinState) {
      this.joinState = joinState;
      return this;
    }

    public Builder deviceId(String deviceId) {
      this.deviceId = Optional.ofNullable(deviceId);
      return this;
    }

    public Builder tenantId(String tenantId) {
      this.tenantId = Optional.ofNullable(tenantId);
      return this;
    }

    public Builder verifiedDomains(List<String> verifiedDomains) {
      this.verifiedDomains = verifiedDomains;
      return this;
    }

    public Builder user(UserIdentity user) {
      this.user = user;
      return this;
    }

    public Builder session(SessionInfo session) {
      this.session = session;
      return this;
    }

    public Builder tpm(TpmState tpm) {
      this.tpm = tpm;
      return this;
    }

    /** @throws NullPointerException when the join state or the session is not set */
    public DeviceContext build() {
      return new DeviceContext(Objects.requireNonNull(joinState, "joinState"), deviceId, tenantId,
          verifiedDomains, user, Objects.requireNonNull(session, "session"), tpm);
    }
  }
}
