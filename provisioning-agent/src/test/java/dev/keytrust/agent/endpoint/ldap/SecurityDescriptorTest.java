package dev.keytrust.agent.endpoint.ldap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The DACL reader of nTSecurityDescriptor values; the check itself runs against Samba AD. */
class SecurityDescriptorTest {
  static final UUID KCL = UUID.fromString("5b47d60f-6090-40b2-9f37-2a4de88f3063");
  static final UUID USER = UUID.fromString("bf967aba-0de6-11d0-a285-00aa003049e2");
  /** S-1-5-21-1-2-3-1104 */
  static final byte[] GROUP_SID = sid(5, 21, 1, 2, 3, 1104);
  /** S-1-5-11, Authenticated Users */
  static final byte[] AU = sid(5, 11);

  static byte[] sid(int authority, int... subs) {
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * subs.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) subs.length).put(new byte[5]).put((byte) authority);
    for (int s : subs) {
      b.putInt(s);
    }
    return b.array();
  }

  static byte[] msGuid(UUID id) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.order(ByteOrder.LITTLE_ENDIAN).putInt((int) (id.getMostSignificantBits() >>> 32))
        .putShort((short) (id.getMostSignificantBits() >>> 16))
        .putShort((short) id.getMostSignificantBits());
    b.order(ByteOrder.BIG_ENDIAN).putLong(id.getLeastSignificantBits());
    return b.array();
  }

  /** (OA;CIIO;RPWP;KCL;USER;S-1-5-21-1-2-3-1104)(A;;RPLCLORC;;;AU) as a self-relative SD. */
  static byte[] descriptor() {
    int objectAce = 4 + 4 + 4 + 16 + 16 + GROUP_SID.length;
    int plainAce = 4 + 4 + AU.length;
    int aclSize = 8 + objectAce + plainAce;
    ByteBuffer b = ByteBuffer.allocate(20 + aclSize).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 1).put((byte) 0).putShort((short) 0x8004).putInt(0).putInt(0).putInt(0).putInt(20);
    b.put((byte) 4).put((byte) 0).putShort((short) aclSize).putShort((short) 2).putShort((short) 0);
    b.put((byte) 5).put((byte) 0x0A).putShort((short) objectAce).putInt(0x30).putInt(3)
        .put(msGuid(KCL)).put(msGuid(USER)).put(GROUP_SID);
    b.put((byte) 0).put((byte) 0).putShort((short) plainAce).putInt(0x20094).put(AU);
    return b.array();
  }

  @Test
  void readsObjectAndPlainAllowAces() {
    SecurityDescriptor sd = SecurityDescriptor.parse(descriptor());

    assertThat(sd.dacl()).containsExactly(
        new SecurityDescriptor.Ace(5, 0x0A, 0x30, KCL, USER, "S-1-5-21-1-2-3-1104"),
        new SecurityDescriptor.Ace(0, 0, 0x20094, null, null, "S-1-5-11"));
  }

  @Test
  void noDaclIsAnEmptyList() {
    byte[] header = new byte[20];
    header[0] = 1;
    assertThat(SecurityDescriptor.parse(header).dacl()).isEmpty();
  }

  @Test
  void everyTruncationIsRefusedWithAnOffset() {
    byte[] full = descriptor();
    for (int n = 0; n < full.length; n++) {
      byte[] cut = Arrays.copyOf(full, n);
      assertThatThrownBy(() -> SecurityDescriptor.parse(cut)).as("first %d bytes", n)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
    }
  }

  @Test
  void aWrongRevisionOrAceSizeIsRefused() {
    byte[] rev = descriptor();
    rev[0] = 2;
    assertThatThrownBy(() -> SecurityDescriptor.parse(rev)).hasMessageContaining("revision");
    byte[] size = descriptor();
    size[20 + 8 + 2] = 4;
    size[20 + 8 + 3] = 0;
    assertThatThrownBy(() -> SecurityDescriptor.parse(size)).hasMessageContaining("size 4");
  }

  @Test
  void readsDenyAcesAndRefusesAnAceBeyondTheAcl() {
    byte[] sd = descriptor();
    sd[20 + 8] = 6; // the object ACE becomes ACCESS_DENIED_OBJECT
    SecurityDescriptor parsed = SecurityDescriptor.parse(sd);
    assertThat(parsed.dacl().get(0).denies()).isTrue();
    assertThat(parsed.dacl().get(0).objectType()).isEqualTo(KCL);
    assertThat(parsed.dacl().get(1).denies()).isFalse();

    byte[] shortAcl = descriptor();
    shortAcl[20 + 2] = (byte) (shortAcl[20 + 2] - 4); // ACL size 4 bytes short of its ACEs
    assertThatThrownBy(() -> SecurityDescriptor.parse(shortAcl)).hasMessageContaining("end of the DACL");
  }
}
