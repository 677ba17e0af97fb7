package dev.keytrust.agent.kinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What kinit takes as input: KDC addresses, user names and realms, credential cache names. */
class KinitInputsTest {

  @Test
  void kdcAddressesTakeHostsPortsAndIpv6Literals() throws Exception {
    assertThat(KdcAddress.parse("dc1.example.com")).isEqualTo(new KdcAddress("dc1.example.com", 88));
    assertThat(KdcAddress.parse("10.0.0.5:1088")).isEqualTo(new KdcAddress("10.0.0.5", 1088));
    assertThat(KdcAddress.parse("[::1]:88")).isEqualTo(new KdcAddress("::1", 88));
    assertThat(KdcAddress.parse("fe80::1")).isEqualTo(new KdcAddress("fe80::1", 88));
    assertThat(KdcAddress.parse("10.0.0.5").isIpLiteral()).isTrue();
    assertThat(KdcAddress.parse("dc1.example.com").isIpLiteral()).isFalse();
    assertThat(KdcAddress.forRealm("EXAMPLE.COM").host()).isEqualTo("example.com");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a b", "host:", "host:0", "host:65536", "host:x", "[::1", "[::1]x", "h/x"})
  void badKdcAddressesAreBadInput(String text) {
    Throwable t = catchThrowable(() -> KdcAddress.parse(text));
    assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_CONFIG);
    assertThat(AgentErrorCode.KINIT_CONFIG.badInput()).isTrue();
  }

  @Test
  void aUpnIsAnEnterpriseNameInItsDomainsRealmAndAnAccountNameNeedsTheRealm() throws Exception {
    KinitAccount upn = KinitAccount.of("alice@example.com", null);
    assertThat(upn.upn()).isEqualTo("alice@example.com");
    assertThat(upn.client()).isEqualTo(new KerberosName(10, List.of("alice@example.com"), "EXAMPLE.COM"));
    assertThat(upn.describe()).isEqualTo("alice@example.com (realm EXAMPLE.COM)");
    assertThat(KinitAccount.of("alice@example.com", "CORP.EXAMPLE.COM").realm()).isEqualTo("CORP.EXAMPLE.COM");

    KinitAccount plain = KinitAccount.of("EXAMPLE\\bob", "EXAMPLE.COM");
    assertThat(plain.client()).isEqualTo(new KerberosName(1, List.of("bob"), "EXAMPLE.COM"));
    assertThat(plain.upn()).isEqualTo("bob@example.com");
    assertThat(plain.describe()).isEqualTo("bob@EXAMPLE.COM");

    for (String[] bad : new String[][] {{"bob", null}, {"@example.com", null}, {"alice@", null},
        {"alice@example.com", "BAD REALM"}, {"a/b", "EXAMPLE.COM"}}) {
      Throwable t = catchThrowable(() -> KinitAccount.of(bad[0], bad[1]));
      assertThat(((KeytrustException) t).code()).as(String.join(",", String.valueOf(bad[0]))).isEqualTo(AgentErrorCode.KINIT_CONFIG);
    }
  }

  @Test
  void principalNamesPrintAsMitDoes() {
    assertThat(KerberosName.tgs("EXAMPLE.COM").toString()).isEqualTo("krbtgt/EXAMPLE.COM@EXAMPLE.COM");
    assertThat(new KerberosName(10, List.of("a@b.com"), "B.COM").toString()).isEqualTo("a\\@b.com@B.COM");
  }

  @Test
  void ccacheNamesAreFileCachesOnly() throws Exception {
    assertThat(CcacheName.parse("FILE:/tmp/cc")).isEqualTo(Path.of("/tmp/cc"));
    assertThat(CcacheName.parse("/tmp/cc")).isEqualTo(Path.of("/tmp/cc"));
    assertThat(CcacheName.parse("file:/tmp/cc")).isEqualTo(Path.of("/tmp/cc"));
    assertThat(CcacheName.defaultPath(Optional.of("FILE:/run/user/1/cc"))).isEqualTo(Path.of("/run/user/1/cc"));
    assertThat(CcacheName.defaultPath(Optional.empty()).toString()).matches("/tmp/krb5cc_[0-9]+");
    for (String bad : List.of("KEYRING:persistent:1000", "DIR:/run/user/1/krb5cc", "KCM:", "MEMORY:x", "FILE:")) {
      Throwable t = catchThrowable(() -> CcacheName.parse(bad));
      assertThat(((KeytrustException) t).code()).isEqualTo(AgentErrorCode.KINIT_CCACHE_NAME);
    }
    Throwable missing = catchThrowable(() -> CcacheName.requireWritable(Path.of("/nonexistent-dir/cc")));
    assertThat(((KeytrustException) missing).code()).isEqualTo(AgentErrorCode.KINIT_CCACHE_NAME);
  }
}
