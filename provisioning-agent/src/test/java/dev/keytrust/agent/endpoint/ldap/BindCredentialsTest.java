package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BindCredentialsTest {
  private static final String DN = "CN=svc-keytrust,OU=Service Accounts,DC=example,DC=com";
  // a password no temp path, DN or message could contain by chance
  private static final String PASSWORD = " Qx7#pw=Zq9 ";

  @TempDir Path dir;

  private Path file(String content, String mode) throws Exception {
    Path f = dir.resolve("ldap.cred");
    Files.write(f, content.getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  private AgentException refused(String content) throws Exception {
    Path f = file(content, "rw-------");
    try {
      BindCredentials.read(f);
    } catch (AgentException e) {
      assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_CREDENTIALS_FILE);
      assertThat(e.code().badInput()).isTrue();
      assertThat(e.getMessage()).contains(f.toString()).doesNotContain("Qx7");
      return e;
    }
    throw new AssertionError("accepted");
  }

  @Test
  void readsBindDnTrimmedAndPasswordVerbatim() throws Exception {
    BindCredentials c = BindCredentials.read(file(
        "# keytrust LDAP account\n\n  bind-dn =  " + DN + "  \npassword=" + PASSWORD + "\n",
        "rw-------"));

    assertThat(c.bindDn()).isEqualTo(DN);
    assertThat(c.password()).isEqualTo(PASSWORD.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void crlfBomNoFinalNewlineAndGroupReadableAreFine() throws Exception {
    byte[] text = ("bind-dn=" + DN + "\r\npassword=" + PASSWORD).getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[text.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(text, 0, withBom, 3, text.length);
    Path f = dir.resolve("crlf.cred");
    Files.write(f, withBom);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));

    BindCredentials c = BindCredentials.read(f);

    assertThat(c.bindDn()).isEqualTo(DN);
    assertThat(new String(c.password(), StandardCharsets.UTF_8)).isEqualTo(PASSWORD);
  }

  @Test
  void nonAsciiPasswordIsSentAsUtf8Bytes() throws Exception {
    BindCredentials c =
        BindCredentials.read(file("bind-dn=" + DN + "\npassword=Grüße-Qx7\n", "rw-------"));

    assertThat(c.password()).isEqualTo("Grüße-Qx7".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void worldReadableOrWritableFileIsRefused() throws Exception {
    for (String mode : new String[] {"rw-r--r--", "rw-----w-"}) {
      Path f = file("bind-dn=" + DN + "\npassword=" + PASSWORD + "\n", mode);

      assertThatThrownBy(() -> BindCredentials.read(f))
          .isInstanceOfSatisfying(AgentException.class, e -> {
            assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_CREDENTIALS_FILE);
            assertThat(e.getMessage()).contains("accessible to other users")
                .contains("chmod 600 " + f).contains(mode).doesNotContain("Qx7");
          });
    }
  }

  @Test
  void missingFileIsRefused() {
    Path f = dir.resolve("absent.cred");

    assertThatThrownBy(() -> BindCredentials.read(f))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.LDAP_CREDENTIALS_FILE);
          assertThat(e.getMessage()).contains(f.toString()).contains("does not exist");
        });
  }

  @Test
  void malformedContentIsRefusedWithoutQuotingIt() throws Exception {
    assertThat(refused("password=" + PASSWORD + "\n").getMessage()).contains("no bind-dn= line");
    assertThat(refused("bind-dn=" + DN + "\n").getMessage()).contains("no password= line");
    assertThat(refused("bind-dn=" + DN + "\npassword=\n").getMessage())
        .contains("no password= line").contains("anonymous bind");
    assertThat(refused("bind-dn=\npassword=" + PASSWORD).getMessage()).contains("no bind-dn=");
    assertThat(refused("bind-dn=" + DN + "\nQx7-no-equals-sign\n").getMessage())
        .contains("no '=' on line 2");
    assertThat(refused("bind-dn=" + DN + "\npasswd=Qx7\n").getMessage())
        .contains("unknown name on line 2");
    assertThat(refused("bind-dn=" + DN + "\npassword=Qx7a\npassword=Qx7b\n").getMessage())
        .contains("password twice (line 3)");
    assertThat(refused("bind-dn=" + DN + "\nbind-dn=" + DN + "\npassword=Qx7\n").getMessage())
        .contains("bind-dn twice (line 2)");
  }

  @Test
  void toStringHidesThePasswordAndWipeClearsIt() throws Exception {
    BindCredentials c =
        BindCredentials.read(file("bind-dn=" + DN + "\npassword=" + PASSWORD, "rw-------"));

    assertThat(c.toString()).contains(DN).doesNotContain("Qx7");
    c.wipe();
    assertThat(c.password()).containsOnly(0);
  }
}
