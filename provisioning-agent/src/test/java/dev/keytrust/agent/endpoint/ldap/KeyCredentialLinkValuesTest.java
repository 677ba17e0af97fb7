package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.credential.DnBinary;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCredentialLinkValuesTest {
  private static final String ALICE = "CN=Alice Smith,CN=Users,DC=keytrust,DC=lab";

  private static DnBinary value(String s) throws Exception {
    return DnBinary.parse(s);
  }

  @Test
  void hexCaseDoesNotMatter() throws Exception {
    assertThat(KeyCredentialLinkValues.same(
        value("B:8:00A1B2FF:" + ALICE), value("B:8:00a1b2ff:" + ALICE))).isTrue();
  }

  @Test
  void ownerDnIsComparedByLdapRules() throws Exception {
    DnBinary ours = value("B:4:BEEF:" + ALICE);

    assertThat(KeyCredentialLinkValues.same(ours,
        value("B:4:BEEF:cn=alice smith,cn=users,dc=KEYTRUST,dc=lab"))).isTrue();
    assertThat(KeyCredentialLinkValues.same(ours,
        value("B:4:BEEF:CN = Alice Smith , CN=Users,DC=keytrust,DC=lab"))).isTrue();
    assertThat(KeyCredentialLinkValues.same(ours,
        value("B:4:BEEF:CN=Alice\\20Smith,CN=Users,DC=keytrust,DC=lab"))).isTrue();
  }

  @Test
  void differentBinaryOrDifferentDnIsAnotherValue() throws Exception {
    DnBinary ours = value("B:4:BEEF:" + ALICE);

    assertThat(KeyCredentialLinkValues.same(ours, value("B:4:BEEE:" + ALICE))).isFalse();
    assertThat(KeyCredentialLinkValues.same(ours, value("B:6:BEEF00:" + ALICE))).isFalse();
    assertThat(KeyCredentialLinkValues.same(ours,
        value("B:4:BEEF:CN=Alice Smith,OU=Staff,DC=keytrust,DC=lab"))).isFalse();
    assertThat(KeyCredentialLinkValues.same(ours,
        value("B:4:BEEF:CN=Alice Smyth,CN=Users,DC=keytrust,DC=lab"))).isFalse();
  }

  @Test
  void matchingReturnsTheStoredStringsAndSkipsForeignValues() throws Exception {
    DnBinary ours = value("B:4:BEEF:" + ALICE);
    List<String> stored = List.of(
        "B:4:beef:" + ALICE,
        "B:4:CAFE:" + ALICE,
        "not a DN-Binary value",
        "B:3:BEE:" + ALICE,
        "B:4:BEEF:cn=alice smith,cn=users,dc=keytrust,dc=lab");

    assertThat(KeyCredentialLinkValues.matching(stored, ours)).containsExactly(
        "B:4:beef:" + ALICE, "B:4:BEEF:cn=alice smith,cn=users,dc=keytrust,dc=lab");
    assertThat(KeyCredentialLinkValues.matching(List.of(), ours)).isEmpty();
  }

  @Test
  void unparsableDnsAreEqualOnlyVerbatim() {
    assertThat(KeyCredentialLinkValues.sameDn("no dn here", "no dn here")).isTrue();
    assertThat(KeyCredentialLinkValues.sameDn("no dn here", "NO DN HERE")).isFalse();
  }
}
