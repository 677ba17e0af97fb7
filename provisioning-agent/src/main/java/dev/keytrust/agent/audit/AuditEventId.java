package dev.keytrust.agent.audit;

/**
 * The audit events keytrust writes, with stable ids (docs/audit-events.md lists them). 358 and 360
 * are Windows' own ids for the prerequisite result (Microsoft-Windows-User Device Registration/Admin);
 * keytrust's own ids are 9000-9099, a range neither that channel nor HelloForBusiness/Operational uses.
 */
public enum AuditEventId {
  /** Every prerequisite check passed: provisioning will be launched (Windows event 358). */
  PREREQUISITES_MET(358, "prerequisites-met", false),
  /** A prerequisite check failed: provisioning will not be launched (Windows event 360). */
  PREREQUISITES_NOT_MET(360, "prerequisites-not-met", true),
  /** A step of a provisioning, PIN change or reset ended (succeeded, skipped, reused or failed). */
  STEP(9000, "step", false),
  /** A provisioning ended: the user is provisioned (or was already). */
  PROVISIONED(9010, "provisioned", false),
  /** A provisioning failed; a rerun resumes it. */
  PROVISION_FAILED(9011, "provision-failed", true),
  /** A PIN change ended: a new key replaces the old one. */
  PIN_CHANGED(9012, "pin-changed", false),
  /** A PIN change failed; a rerun resumes it. */
  PIN_CHANGE_FAILED(9013, "pin-change-failed", true),
  /** A reset ended: the user's key, registrations and records are gone (or there was nothing). */
  RESET(9014, "reset", false),
  /** A reset failed, or left a registration at an endpoint that cannot remove it. */
  RESET_FAILED(9015, "reset-failed", true),
  /** The TPM lost the user's key (cleared, firmware update, another machine); provisioning replaced it. */
  KEY_LOST(9020, "key-lost", true),
  /** A wrong PIN: the TPM (or the software key's counter) counted a failed try. */
  WRONG_PIN(9030, "wrong-pin", true),
  /** The key is locked after too many wrong PINs. */
  LOCKED_OUT(9031, "locked-out", true),
  /** A key was registered at an endpoint. */
  REGISTRATION_ADDED(9040, "registration-added", false),
  /** A registration was removed from an endpoint. */
  REGISTRATION_REMOVED(9041, "registration-removed", false),
  /** A registration could not be removed: the endpoint does not remove keys; it stays there. */
  REGISTRATION_REMAINS(9042, "registration-remains", true),
  /** A key trust sign-in was accepted: the directory holds the key and it verified the signature. */
  SIGN_IN_ACCEPTED(9050, "sign-in-accepted", false),
  /** A key trust sign-in was refused (wrong PIN, lockout, key not in the directory, ...). */
  SIGN_IN_REFUSED(9051, "sign-in-refused", true);

  private final int id;
  private final String name;
  private final boolean warning;

  AuditEventId(int id, String name, boolean warning) {
    this.id = id;
    this.name = name;
    this.warning = warning;
  }

  /** The stable number, e.g. 358 or 9050. */
  public int id() {
    return id;
  }

  /** The stable name, e.g. {@code sign-in-accepted}. */
  public String eventName() {
    return name;
  }

  /** True for failures and refusals: the system log gets them at warning, the rest at notice. */
  public boolean warning() {
    return warning;
  }

  /** True for the events that also go to the system log (all but the per-step events). */
  public boolean toSystemLog() {
    return this != STEP;
  }
}
