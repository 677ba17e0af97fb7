package dev.keytrust.agent.error;

import dev.keytrust.error.ErrorCode;

/**
 * The provisioning agent's error codes ({@code KT-1xxx}): {@code KT-11xx} policy, {@code KT-12xx}
 * prerequisites and device context, {@code KT-13xx} MFA, {@code KT-14xx} PIN rules, {@code
 * KT-15xx} the flow and its journal, {@code KT-16xx} registration endpoints ({@code 160x} HTTPS,
 * {@code 165x} LDAP), {@code KT-17xx} sign-in. tpm-core's codes are {@link
 * dev.keytrust.error.CoreErrorCode}.
 */
public enum AgentErrorCode implements ErrorCode {
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
  /** The endpoint requires key attestation (attest=required) and the key could not be attested. */
  FLOW_ATTESTATION_REQUIRED("KT-1511", false),
  /**
   * A reset (or PIN change) removed what it could, but a registration stays at an endpoint that cannot
   * remove keys; the records keep it, {@code status} shows it and the next reset tries again.
   */
  FLOW_REGISTRATION_REMAINS("KT-1520", false),

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
  /** The attestation CA behind the DRS endpoint refused the attestation (its step and reason quoted). */
  DRS_ATTESTATION_REFUSED("KT-1617", false),
  /** The DRS endpoint offers no key attestation (keytrust's extension; 404/405/501). */
  DRS_ATTESTATION_UNSUPPORTED("KT-1618", false),
  /** An https:// endpoint's host and port do not speak TLS (a plain HTTP server): a wrong port or scheme. */
  DRS_NOT_TLS("KT-1619", true),
  /** The endpoint cannot list a user's registered keys (a key service without keytrust's GET listing). */
  ENDPOINT_LIST_UNSUPPORTED("KT-1620", false),
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

  // provisioning agent, Kerberos PKINIT sign-in (dev.keytrust.agent.kinit): KT-171x..KT-173x
  /** KDC_ERR_CLIENT_NOT_TRUSTED: the key is not (yet) in the user's msDS-KeyCredentialLink. */
  KINIT_KEY_NOT_TRUSTED("KT-1710", false),
  /** KDC_ERR_CLIENT_NAME_MISMATCH: the certificate's UPN does not name the account asked for. */
  KINIT_NAME_MISMATCH("KT-1711", false),
  /** KDC_ERR_C_PRINCIPAL_UNKNOWN: the KDC has no such account. */
  KINIT_PRINCIPAL_UNKNOWN("KT-1712", false),
  /** This machine's clock and the KDC's differ by more than Kerberos allows. */
  KINIT_CLOCK_SKEW("KT-1713", false),
  /** The KDC's certificate does not chain to the trusted CA (or is not valid now): refused. */
  KINIT_KDC_CERT_UNTRUSTED("KT-1714", false),
  /** The KDC's certificate has no id-pkinit-KPKdc extended key usage: refused. */
  KINIT_KDC_CERT_NOT_KDC("KT-1715", false),
  /** The KDC's certificate names another realm or host: refused. */
  KINIT_KDC_CERT_WRONG_NAME("KT-1716", false),
  /** The KDC's reply is malformed, its signature or nonce does not verify, or it does not decrypt. */
  KINIT_KDC_REPLY_INVALID("KT-1717", false),
  /** No KDC answered on the address (connection refused, timed out, unknown host). */
  KINIT_KDC_UNREACHABLE("KT-1718", false),
  /** The key's algorithm (EC P-256) is not accepted by the KDC for key trust. */
  KINIT_KEY_ALGORITHM_UNSUPPORTED("KT-1719", false),
  /** The KDC refused the request with another Kerberos error. */
  KINIT_KDC_ERROR("KT-1720", false),
  /** The KDC does not offer PKINIT (no KDC certificate configured). */
  KINIT_PKINIT_NOT_OFFERED("KT-1721", false),
  /** Bad input: realm, KDC address, user name. */
  KINIT_CONFIG("KT-1722", true),
  /** The --kdc-ca file is missing, unreadable, or holds no certificate. */
  KINIT_KDC_CA_FILE("KT-1723", true),
  /** The credential cache name is not a FILE: cache keytrust can write. */
  KINIT_CCACHE_NAME("KT-1724", true),
  /** The credential cache could not be written. */
  KINIT_CCACHE_WRITE("KT-1725", false),
  /** The sign-in was interrupted. */
  KINIT_INTERRUPTED("KT-1726", false),

  // provisioning agent, Linux sign-in through PAM (keytrust pam-auth): KT-18xx
  /** Started without PAM_SERVICE / PAM_USER, or for another PAM phase than auth. */
  PAM_NOT_FROM_PAM("KT-1801", true),
  /** The configuration file is malformed (a line, a section, a value). */
  PAM_CONFIG_INVALID("KT-1802", true),
  /** The configuration file is missing, unreadable, not owned by root or writable by others. */
  PAM_CONFIG_UNSAFE("KT-1803", false),
  /** The configuration has no section for this Linux user: keytrust does not sign them in. */
  PAM_USER_NOT_MAPPED("KT-1804", false),
  /** PAM_USER is not a Linux user (getent passwd knows no such name). */
  PAM_USER_UNKNOWN("KT-1805", false),
  /** A caller other than root asked for another user's ticket. */
  PAM_CALLER_NOT_ALLOWED("KT-1806", false),
  /** No PIN, or more than a PIN, on standard input. */
  PAM_PIN_INPUT("KT-1807", false),
  /** The user's key store is owned by someone else than the user or root, or writable by others. */
  PAM_KEY_STORE_UNSAFE("KT-1808", false),
  /** The user has no key in the key store the configuration names. */
  PAM_NO_KEY("KT-1809", false);

  private final String id;
  private final boolean badInput;

  AgentErrorCode(String id, boolean badInput) {
    this.id = id;
    this.badInput = badInput;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public boolean badInput() {
    return badInput;
  }
}
