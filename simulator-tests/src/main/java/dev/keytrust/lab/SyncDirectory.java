package dev.keytrust.lab;

import java.util.List;
import java.util.Optional;

/**
 * The directory side of the lab sync job ({@link LabSync}): where registered keys are written as
 * msDS-KeyCredentialLink values. {@link LabDirectory} (in-process) and {@link LdapSyncDirectory}
 * (any LDAP directory, e.g. the Samba AD DC, bound as the sync account) implement it. Failures are
 * {@link LabException}s that say what was refused.
 */
public interface SyncDirectory {

  /** The DN of the one user whose userPrincipalName is {@code upn} (case ignored), if any. */
  Optional<String> findUserByUpn(String upn);

  /** The DNs of the users that hold at least one msDS-KeyCredentialLink value. */
  List<String> entriesWithKeyCredentialLinks();

  /** The user's msDS-KeyCredentialLink values as stored. */
  List<String> keyCredentialLinks(String userDn);

  /** Adds one DN-Binary value to the user's msDS-KeyCredentialLink. */
  void addKeyCredentialLink(String userDn, String value);

  /** Removes one value (as stored) from the user's msDS-KeyCredentialLink. */
  void removeKeyCredentialLink(String userDn, String value);
}
