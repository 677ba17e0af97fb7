/**
 * The LDAP key registration endpoint ({@code ldaps://}, {@code ldap://}):
 * {@link dev.keytrust.agent.endpoint.ldap.LdapEndpointProvider} documents the URI and settings.
 *
 * <p>What it does: finds the user by userPrincipalName or sAMAccountName under the base DN, adds
 * the DN-Binary value {@code B:<2n>:<HEX>:<user DN>} to msDS-KeyCredentialLink unless an equal
 * value (same binary, same DN by LDAP rules) is there, and reads it back; unregister removes equal
 * values. Failures carry KT-165x/KT-166x codes: LDAP_ENDPOINT_CONFIG, LDAP_CREDENTIALS_FILE,
 * LDAP_CA_FILE (bad input), LDAP_UNREACHABLE, LDAP_TLS_UNTRUSTED, LDAP_BIND_FAILED,
 * LDAP_USER_NOT_FOUND, LDAP_USER_AMBIGUOUS, LDAP_WRITE_DENIED (with the grant and group to ask
 * for), LDAP_WRITE_REFUSED, LDAP_READBACK_MISMATCH, LDAP_OPERATION_FAILED.
 *
 * <p>What it does not do: no SASL/Kerberos bind, no StartTLS (use ldaps), no referral chasing
 * (bind to a domain controller of the user's domain), no client certificates, and no validation
 * of the blob itself (the codec builds it). The password is read once, kept as bytes, sent only in
 * the bind, and wiped on close; it is never logged or put in a message.
 */
package dev.keytrust.agent.endpoint.ldap;
