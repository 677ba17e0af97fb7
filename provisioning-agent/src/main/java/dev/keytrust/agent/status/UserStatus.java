package dev.keytrust.agent.status;

import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.agent.flow.LostKey;
import dev.keytrust.key.KeyContainer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The user's key and what the provisioning flow recorded about it.
 *
 * @param user the user, or null when none was asked for
 * @param store the key store folder
 * @param key the user's key, empty when there is none (or no user)
 * @param flow what the provisioning flow recorded, or null without a user
 * @param syncState the key store, the journal and the receipt compared, in words
 * @param keyCheck whether the TPM still holds the key (checked without the PIN), or null when
 *     there is no key
 * @param pin when the PIN was set and expires; null without a user or without a state folder
 */
public record UserStatus(String user, Path store, Optional<KeyContainer> key, FlowStatus flow, String syncState,
    LostKey.Check keyCheck, PinStatus pin) {

  public UserStatus {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(syncState, "syncState");
  }

  /** True when the TPM lost the user's key: provisioning replaces it. */
  public boolean keyLost() {
    return keyCheck != null && keyCheck.state() == LostKey.State.LOST;
  }
}
