package dev.keytrust.agent.flow;

/**
 * Where an operation stands, as its journal records it. The journal is written at every change of state
 * and before the key is created, so a run killed at any point leaves one of these states and the
 * next run knows what exists: see {@link ProvisioningFlow} for the rules.
 */
public enum JournalState {
  /** The prerequisites passed; nothing is created yet. */
  STARTED,
  /** PIN change: the old key's registration is in the journal; the old key still exists. */
  OLD_KEY_RECORDED,
  /** PIN change: the old key is deleted; its registration is still in the journal. */
  OLD_KEY_DELETED,
  /** Written before the key is created: a key found in this state came from the interrupted run. */
  KEY_PENDING,
  /**
   * The key exists and is named by id; a rerun reuses it. Written by a PIN change (and by
   * provisioning of earlier versions); provisioning names its new key with {@link #CREDENTIAL_BUILT}.
   */
  KEY_CREATED,
  /** The KeyCredentialLink is built and kept, so a rerun registers the identical value. */
  CREDENTIAL_BUILT,
  /** The endpoint confirmed the registration; the receipt is in the journal. */
  REGISTERED,
  /** PIN change: the new receipt is recorded; the old registration still has to go. */
  RECEIPT_RECORDED,
  /** The operation finished. */
  DONE,
  /** Reset: what to remove is in the journal. */
  RESET_STARTED,
  /** Reset: every registration is removed. */
  RESET_UNREGISTERED,
  /** Reset: the key is deleted. */
  RESET_KEY_DELETED;

  /** True from {@link #KEY_CREATED} on, through {@link #DONE}: the journal names the key. */
  boolean hasKey() {
    return this == KEY_CREATED || this == CREDENTIAL_BUILT || this == REGISTERED || this == RECEIPT_RECORDED
        || this == DONE;
  }

  /** True when the journal holds the KeyCredentialLink (it may have been registered). */
  boolean hasCredential() {
    return this == CREDENTIAL_BUILT || this == REGISTERED || this == RECEIPT_RECORDED || this == DONE;
  }

  /** True when the journal holds the endpoint's receipt. */
  boolean hasReceipt() {
    return this == REGISTERED || this == RECEIPT_RECORDED || this == DONE;
  }
}
