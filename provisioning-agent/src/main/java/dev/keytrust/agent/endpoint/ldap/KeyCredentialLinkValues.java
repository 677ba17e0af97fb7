package dev.keytrust.agent.endpoint.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredentialFormatException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * When two msDS-KeyCredentialLink values are the same: the same binary (so hex case does not
 * matter: {@code B:4:abcd:...} equals {@code B:4:ABCD:...}) and the same owner DN compared by LDAP
 * rules (attribute names and values case-insensitively, insignificant spaces ignored, so {@code CN
 * = Alice,CN=Users} equals {@code cn=alice,cn=users}).
 */
final class KeyCredentialLinkValues {
  private KeyCredentialLinkValues() {}

  /** True when {@code a} and {@code b} have equal binaries and equal owner DNs. */
  static boolean same(DnBinary a, DnBinary b) {
    return Arrays.equals(a.binary(), b.binary()) && sameDn(a.dn(), b.dn());
  }

  /**
   * The values among {@code raw} (as the directory returned them) that are the same as {@code
   * ours}. Values that are not valid DN-Binary strings belong to someone else and never match.
   */
  static List<String> matching(Collection<String> raw, DnBinary ours) {
    List<String> found = new ArrayList<>();
    for (String value : raw) {
      try {
        if (same(DnBinary.parse(value), ours)) {
          found.add(value);
        }
      } catch (KeyCredentialFormatException e) {
        // not a DN-Binary value: not ours
      }
    }
    return found;
  }

  /** LDAP DN equality; DNs that do not parse are equal only when their strings are. */
  static boolean sameDn(String a, String b) {
    try {
      return DN.equals(a, b);
    } catch (LDAPException e) {
      return a.equals(b);
    }
  }
}
