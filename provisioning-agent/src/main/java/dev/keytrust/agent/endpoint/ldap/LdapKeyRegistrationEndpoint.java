package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.error.CoreErrorCode;
import java.time.Clock;
import java.util.List;
import javax.net.SocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a user's KeyCredentialLink to msDS-KeyCredentialLink over LDAP(S), as an account with the
 * write grant, the way Windows Hello for Business hybrid key trust ends up in Active Directory.
 * One connection per operation (connect, bind, work, unbind), so nothing goes stale between a
 * registration and a later removal.
 */
final class LdapKeyRegistrationEndpoint implements KeyRegistrationEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(LdapKeyRegistrationEndpoint.class);
  static final String KEY_CREDENTIAL_LINK = LdapFailures.ATTRIBUTE;
  static final String UPN = "userPrincipalName";
  static final String ACCOUNT_NAME = "sAMAccountName";
  static final String USER_CLASS = "user";
  /** Matches shown when a search is ambiguous (one more is asked for, to know there are more). */
  static final int MATCHES_SHOWN = 5;

  private final LdapEndpointConfig config;
  private final BindCredentials credentials;
  private final LdapConnector connector;
  private final LdapFailures failures;
  private final Clock clock;

  LdapKeyRegistrationEndpoint(
      LdapEndpointConfig config, BindCredentials credentials, SocketFactory socketFactory,
      Clock clock) {
    this.config = config;
    this.credentials = credentials;
    this.failures = new LdapFailures(config, credentials.bindDn());
    this.connector = new LdapConnector(config, credentials, socketFactory, failures);
    this.clock = clock;
  }

  /**
   * Registers the key in four steps: (1) find the one user object under the base DN whose
   * userPrincipalName or sAMAccountName matches; (2) if a value with the same binary and owner DN
   * is there, succeed without writing ({@code alreadyPresent}); (3) add {@code B:<n>:<HEX>:<user
   * DN>} to msDS-KeyCredentialLink; (4) read the attribute back and require the value.
   */
  @Override
  public RegistrationReceipt register(KeyRegistration registration) throws AgentException {
    try (LDAPConnection connection = connector.connect()) {
      DirectoryUser user = findUser(connection, registration); // step 1
      DnBinary ours = value(registration, user);
      if (!KeyCredentialLinkValues.matching(user.keyCredentialLinks(), ours).isEmpty()) { // step 2
        LOG.info("Key {} is already in {} of {} ({})", registration.keyIdBase64(),
            KEY_CREDENTIAL_LINK, user.dn(), config.describe());
        return receipt(registration, user, true);
      }
      boolean alreadyPresent = false;
      try { // step 3
        connection.modify(new ModifyRequest(user.dn(),
            new Modification(ModificationType.ADD, KEY_CREDENTIAL_LINK, ours.format())));
      } catch (LDAPException e) {
        if (e.getResultCode() != ResultCode.ATTRIBUTE_OR_VALUE_EXISTS) {
          throw failures.write(e, user.dn(), true);
        }
        alreadyPresent = true; // written meanwhile by another run; step 4 confirms it is ours
        LOG.debug("{} of {} already holds an equal value ({})", KEY_CREDENTIAL_LINK, user.dn(),
            LdapFailures.reason(e));
      }
      DirectoryUser after = readBack(connection, user.dn()); // step 4
      if (KeyCredentialLinkValues.matching(after.keyCredentialLinks(), ours).isEmpty()) {
        throw new AgentException(
            AgentErrorCode.LDAP_READBACK_MISMATCH,
            "The directory " + (alreadyPresent ? "said msDS-KeyCredentialLink of " + user.dn()
                + " already holds this key" : "accepted the new msDS-KeyCredentialLink value on "
                + user.dn()) + ", but reading it back as " + credentials.bindDn() + " shows "
                + after.keyCredentialLinks().size() + " value(s) and none is key "
                + registration.keyIdBase64() + ". The account probably lacks Read property "
                + KEY_CREDENTIAL_LINK + " (the grant is Read/Write), or the server rewrote the"
                + " value; check the grant, then retry.");
      }
      LOG.info("Registered key {} in {} of {} ({})", registration.keyIdBase64(),
          KEY_CREDENTIAL_LINK, user.dn(), config.describe());
      return receipt(registration, after, alreadyPresent);
    }
  }

  /**
   * Removes every value equal to this key's from the user's msDS-KeyCredentialLink (none there:
   * success), then reads the attribute back and requires that none is left. A user that cannot be
   * found is an error, not a success: it usually means a wrong base DN, and the key would stay.
   */
  @Override
  public void unregister(KeyRegistration registration) throws AgentException {
    try (LDAPConnection connection = connector.connect()) {
      DirectoryUser user = findUser(connection, registration);
      DnBinary ours = value(registration, user);
      List<String> present = KeyCredentialLinkValues.matching(user.keyCredentialLinks(), ours);
      if (present.isEmpty()) {
        LOG.info("Key {} is not in {} of {}: nothing to remove", registration.keyIdBase64(),
            KEY_CREDENTIAL_LINK, user.dn());
        return;
      }
      try {
        connection.modify(new ModifyRequest(user.dn(), new Modification(
            ModificationType.DELETE, KEY_CREDENTIAL_LINK, present.toArray(new String[0]))));
      } catch (LDAPException e) {
        if (e.getResultCode() != ResultCode.NO_SUCH_ATTRIBUTE) {
          throw failures.write(e, user.dn(), false);
        }
        LOG.debug("{} of {} lost the value meanwhile ({})", KEY_CREDENTIAL_LINK, user.dn(),
            LdapFailures.reason(e));
      }
      DirectoryUser after = readBack(connection, user.dn());
      if (!KeyCredentialLinkValues.matching(after.keyCredentialLinks(), ours).isEmpty()) {
        throw new AgentException(
            AgentErrorCode.LDAP_READBACK_MISMATCH,
            "The directory accepted removing key " + registration.keyIdBase64() + " from "
                + KEY_CREDENTIAL_LINK + " of " + user.dn() + ", but it is still there when read"
                + " back. Retry; if it stays, remove it with the directory's tools.");
      }
      LOG.info("Removed key {} from {} of {} ({})", registration.keyIdBase64(),
          KEY_CREDENTIAL_LINK, user.dn(), config.describe());
    }
  }

  /** The user's msDS-KeyCredentialLink values that carry a KeyID ({@link ListedValues}). */
  @Override
  public List<ListedKey> list(String userPrincipalName, String accountName) throws AgentException {
    try (LDAPConnection connection = connector.connect()) {
      DirectoryUser user = UserSearch.find(connection, config, failures, credentials.bindDn(), userPrincipalName,
          accountName);
      return ListedValues.of(user, config.describe());
    }
  }

  @Override
  public String describe() {
    return config.describe();
  }

  /** Wipes the password held since {@code open}. */
  @Override
  public void close() {
    credentials.wipe();
  }

  private DirectoryUser findUser(LDAPConnection connection, KeyRegistration registration)
      throws AgentException {
    return UserSearch.find(connection, config, failures, credentials.bindDn(),
        registration.userPrincipalName(), registration.accountName());
  }

  private DirectoryUser readBack(LDAPConnection connection, String dn) throws AgentException {
    try {
      SearchResultEntry entry = connection.getEntry(dn, KEY_CREDENTIAL_LINK, UPN, ACCOUNT_NAME);
      if (entry == null) {
        throw new AgentException(
            AgentErrorCode.LDAP_READBACK_MISMATCH,
            "The user object " + dn + " cannot be read back after the write: it was moved,"
                + " renamed or deleted meanwhile, or " + credentials.bindDn() + " may not read"
                + " it. Retry.");
      }
      return DirectoryUser.of(entry);
    } catch (LDAPException e) {
      throw failures.search(e, "read back " + KEY_CREDENTIAL_LINK + " of " + dn);
    }
  }

  private DnBinary value(KeyRegistration registration, DirectoryUser user) throws AgentException {
    byte[] blob = registration.keyCredentialLink();
    if (blob.length == 0) {
      throw new AgentException(
          CoreErrorCode.INVALID_ARGUMENT,
          "The registration of key " + registration.keyIdBase64() + " has an empty"
              + " KeyCredentialLink blob; nothing can be written to " + KEY_CREDENTIAL_LINK + ".");
    }
    return new DnBinary(blob, user.dn());
  }

  private RegistrationReceipt receipt(
      KeyRegistration registration, DirectoryUser user, boolean alreadyPresent) {
    return new RegistrationReceipt(
        config.describe(),
        registration.keyIdBase64(),
        user.dn(),
        user.userPrincipalName() == null ? registration.userPrincipalName()
            : user.userPrincipalName(),
        null,
        null,
        alreadyPresent,
        clock.instant());
  }
}
