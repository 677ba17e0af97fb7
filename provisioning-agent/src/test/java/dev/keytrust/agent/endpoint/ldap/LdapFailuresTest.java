package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LdapFailuresTest {

  @Test
  void activeDirectoryBindSubCodesAreExplained() {
    String ad = "80090308: LdapErr: DSID-0C09041C, comment: AcceptSecurityContext error,"
        + " data %s, v4563\n\u0000";

    assertThat(LdapFailures.adBindDetail(String.format(ad, "52e"))).isEqualTo("the password is wrong");
    assertThat(LdapFailures.adBindDetail(String.format(ad, "775")))
        .isEqualTo("the account is locked out");
    assertThat(LdapFailures.adBindDetail(String.format(ad, "533")))
        .isEqualTo("the account is disabled");
    assertThat(LdapFailures.adBindDetail(String.format(ad, "999"))).isNull();
    assertThat(LdapFailures.adBindDetail("Invalid credentials")).isNull();
    assertThat(LdapFailures.adBindDetail(null)).isNull();
  }

  @Test
  void serverTextBecomesOneCleanLine() {
    assertThat(LdapFailures.clean("00002098: SecErr: DSID-03150F94, problem 4003"
        + " (INSUFF_ACCESS_RIGHTS), data 0\n\u0000"))
        .isEqualTo("00002098: SecErr: DSID-03150F94, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0");
    assertThat(LdapFailures.clean(null)).isEmpty();
  }
}
