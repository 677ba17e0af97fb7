package dev.keytrust.error;

/**
 * Stable error codes. The {@link #id()} strings never change meaning once released: scripts and
 * support documents match on them. {@link #badInput()} tells a CLI to exit with 2 instead of 1.
 */
public enum ErrorCode {
  // bad input: the caller can fix the request
  INVALID_ARGUMENT("KT-0001", true),
  UNKNOWN_TPM_URI("KT-0002", true),
  PIN_MISMATCH("KT-0003", true),
  PIN_INVALID("KT-0004", true),

  // TPM and transport
  TPM_UNREACHABLE("KT-0101", false),
  TPM_TRANSPORT("KT-0102", false),
  TPM_BUSY("KT-0103", false),
  TPM_COMMAND_FAILED("KT-0104", false),
  TPM_UNSUPPORTED_ALGORITHM("KT-0105", false),
  TPM_OBJECT_MEMORY("KT-0106", false),
  TPM_PLATFORM_UNSUPPORTED("KT-0107", false),
  TPM_SRK_MISMATCH("KT-0108", false),
  TPM_KEY_NOT_LOADABLE("KT-0109", false),
  TPM_DA_DISABLED("KT-0110", false),
  TPM_HIERARCHY_AUTH("KT-0111", false),

  // PIN / authorization
  WRONG_PIN("KT-0201", false),
  LOCKED_OUT("KT-0202", false),
  COUNTER_TAMPERED("KT-0203", false),

  // key store
  KEY_NOT_FOUND("KT-0301", false),
  KEY_EXISTS("KT-0302", false),
  STORE_CORRUPT("KT-0303", false),
  STORE_IO("KT-0304", false),
  STORE_VERSION_UNSUPPORTED("KT-0305", false),
  STORE_PERMISSIONS("KT-0306", false),
  STORE_BUSY("KT-0307", false),

  // KeyCredentialLink codec (tpm-core dev.keytrust.credential): KT-04xx
  KEY_CREDENTIAL_MALFORMED("KT-0401", true),
  DN_BINARY_MALFORMED("KT-0402", true),
  KEY_CREDENTIAL_UNSUPPORTED_KEY("KT-0403", true),
  KEY_CREDENTIAL_INVALID_OPTIONS("KT-0404", true),

  // native: device discovery and locked memory: KT-05xx
  /** The TPM found is not a TPM 2.0 (a TPM 1.2, or a version that cannot be told). */
  TPM_VERSION_UNSUPPORTED("KT-0501", false),
  /** {@code --tpm auto} found a TPM 2.0 with a raw device node only, no resource manager node. */
  TPM_NO_RESOURCE_MANAGER("KT-0502", false),

  // provisioning agent, policy: KT-11xx
  POLICY_DIRECTORY_INVALID("KT-1101", true),
  POLICY_FILE_UNREADABLE("KT-1102", false),
  POLICY_FILE_MALFORMED("KT-1103", true),
  POLICY_LINE_MALFORMED("KT-1104", true),
  POLICY_SETTING_UNKNOWN("KT-1105", true),
  POLICY_SETTING_DUPLICATE("KT-1106", true),
  POLICY_VALUE_INVALID("KT-1107", true),
  POLICY_SETTING_DEVICE_ONLY("KT-1108", true),
  POLICY_PIN_LENGTHS_INVALID("KT-1109", true),
  POLICY_SOURCES_CONFLICT("KT-1110", false),

  // provisioning agent, prerequisite checks and device context: KT-12xx
  DEVICE_CONTEXT_INVALID("KT-1201", true),
  DEVICE_CONTEXT_UNREADABLE("KT-1202", false),
  PREREQUISITES_NOT_MET("KT-1203", false),

  // provisioning agent, MFA: KT-13xx
  MFA_DENIED("KT-1301", false),
  MFA_TIMED_OUT("KT-1302", false),
  MFA_FAILED("KT-1303", false),
  MFA_CANCELLED("KT-1304", false),
  MFA_UNKNOWN_PROVIDER("KT-1305", true),
  MFA_CONFIG_INVALID("KT-1306", true),
  MFA_STATE_IO("KT-1307", false),

  // provisioning agent, PIN rules: KT-14xx
  PIN_RULES_UNMET("KT-1401", true),
  PIN_EXPIRED("KT-1402", false),
  PIN_HISTORY_IO("KT-1403", false),

  // provisioning agent, flow and journal: KT-15xx
  /** The user has a key that no provisioning run made (no journal): reset or delete it first. */
  FLOW_FOREIGN_KEY("KT-1501", false),
  /** The journal names a key the store no longer holds: reset, then provision again. */
  FLOW_KEY_MISSING("KT-1502", false),
  /** Policy requires a TPM (RequireSecurityDevice) and none is usable. */
  FLOW_SECURITY_DEVICE_REQUIRED("KT-1503", false),
  /** The journal or receipt record holds values that do not fit together. */
  FLOW_JOURNAL_INVALID("KT-1504", false),
  /** A PIN change needs a provisioned key; the user has none. */
  FLOW_NOT_PROVISIONED("KT-1505", false),
  /** Another operation (PIN change, reset) was interrupted for the user: rerun that one first. */
  FLOW_OTHER_OPERATION_PENDING("KT-1506", false),
  /** No registration endpoint was given. */
  FLOW_ENDPOINT_REQUIRED("KT-1507", true),
  /** The endpoint's receipt names another key than the one registered. */
  FLOW_RECEIPT_MISMATCH("KT-1508", false),
  /** A registration is to be removed at another endpoint than the one that holds it. */
  FLOW_ENDPOINT_MISMATCH("KT-1509", true),
  /** The registration endpoint does not take keys of the flow's algorithm. */
  FLOW_ALGORITHM_NOT_ACCEPTED("KT-1510", true),

  // provisioning agent, registration endpoints (HTTPS, LDAP): KT-16xx
  // DRS-style HTTPS endpoint (dev.keytrust.agent.endpoint.drs): KT-160x..KT-161x
  DRS_ENDPOINT_CONFIG("KT-1601", true),
  DRS_TOKEN_SOURCE("KT-1602", true),
  DRS_TOKEN_COMMAND_FAILED("KT-1603", false),
  DRS_CA_FILE("KT-1604", true),
  DRS_KEY_UNSUPPORTED("KT-1605", true),
  DRS_UNREACHABLE("KT-1606", false),
  DRS_TIMED_OUT("KT-1607", false),
  DRS_TLS_UNTRUSTED("KT-1608", false),
  DRS_REQUEST_REJECTED("KT-1609", false),
  DRS_UNAUTHORIZED("KT-1610", false),
  DRS_SERVER_ERROR("KT-1611", false),
  DRS_UNEXPECTED_STATUS("KT-1612", false),
  DRS_RESPONSE_MALFORMED("KT-1613", false),
  DRS_USER_MISMATCH("KT-1614", false),
  DRS_UNREGISTER_UNSUPPORTED("KT-1615", false),
  DRS_INTERRUPTED("KT-1616", false),
  // LDAP endpoint (dev.keytrust.agent.endpoint.ldap): KT-165x..KT-166x
  LDAP_ENDPOINT_CONFIG("KT-1650", true),
  LDAP_CREDENTIALS_FILE("KT-1651", true),
  LDAP_CA_FILE("KT-1652", true),
  LDAP_UNREACHABLE("KT-1653", false),
  LDAP_TLS_UNTRUSTED("KT-1654", false),
  LDAP_BIND_FAILED("KT-1655", false),
  LDAP_USER_NOT_FOUND("KT-1656", false),
  LDAP_USER_AMBIGUOUS("KT-1657", false),
  LDAP_WRITE_DENIED("KT-1658", false),
  LDAP_WRITE_REFUSED("KT-1659", false),
  LDAP_READBACK_MISMATCH("KT-1660", false),
  LDAP_OPERATION_FAILED("KT-1661", false),

  // provisioning agent, sign-in proof against the directory (dev.keytrust.agent.signin): KT-17xx
  /** msDS-KeyCredentialLink of the user holds no value with the key's KeyID (not registered or not synced yet). */
  SIGNIN_KEY_NOT_IN_DIRECTORY("KT-1701", false),
  /** A value with the key's KeyID is there, but its key material is not the key's public key. */
  SIGNIN_DIRECTORY_VALUE_INCONSISTENT("KT-1702", false),

  // programming errors and impossible states
  INTERNAL("KT-0900", false);

  private final String id;
  private final boolean badInput;

  ErrorCode(String id, boolean badInput) {
    this.id = id;
    this.badInput = badInput;
  }

  /** The stable identifier, e.g. {@code KT-0201}. */
  public String id() {
    return id;
  }

  /** True when the request itself was wrong (CLI exit code 2), false when the operation failed (exit 1). */
  public boolean badInput() {
    return badInput;
  }
}
