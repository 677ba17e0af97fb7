package dev.keytrust.agent.kinit;

import java.util.List;
import java.util.Objects;

/**
 * A Kerberos principal name with its realm, e.g. {@code alice@KEYTRUST.LAB} or {@code
 * krbtgt/KEYTRUST.LAB@KEYTRUST.LAB}. Immutable.
 *
 * @param nameType the name-type (1 principal, 2 service instance, 10 enterprise)
 * @param components the name-string components
 * @param realm the realm
 */
public record KerberosName(int nameType, List<String> components, String realm) {
  /** NT-PRINCIPAL: a user. */
  public static final int NT_PRINCIPAL = 1;
  /** NT-SRV-INST: a service instance such as krbtgt/REALM. */
  public static final int NT_SRV_INST = 2;
  /** NT-ENTERPRISE: a UPN the KDC maps to the account (RFC 6806). */
  public static final int NT_ENTERPRISE = 10;

  public KerberosName {
    components = List.copyOf(components);
    Objects.requireNonNull(realm, "realm");
    if (components.isEmpty()) {
      throw new IllegalArgumentException("a principal name has at least one component");
    }
  }

  /** {@code krbtgt/REALM@REALM}: the ticket-granting service of {@code realm}. */
  public static KerberosName tgs(String realm) {
    return new KerberosName(NT_SRV_INST, List.of("krbtgt", realm), realm);
  }

  /** True when both name the same principal (the name-type is not compared, as RFC 4120 says). */
  public boolean sameName(KerberosName other) {
    return components.equals(other.components) && realm.equals(other.realm);
  }

  /** MIT's text form: components joined by '/', then '@' and the realm; '/' and '@' inside escaped. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < components.size(); i++) {
      if (i > 0) {
        b.append('/');
      }
      b.append(escape(components.get(i)));
    }
    return b.append('@').append(escape(realm)).toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("/", "\\/").replace("@", "\\@");
  }
}
