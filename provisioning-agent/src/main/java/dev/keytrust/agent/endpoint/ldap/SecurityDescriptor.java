package dev.keytrust.agent.endpoint.ldap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The discretionary ACL of a self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6), as Active
 * Directory returns it in {@code nTSecurityDescriptor}: only what the key-sync permission check
 * reads (allow and deny ACEs, plain and object ACEs, with their SID, mask, flags and GUIDs). Other
 * ACE types are kept with their type only. Malformed input throws {@link
 * IllegalArgumentException} with the offset.
 */
record SecurityDescriptor(List<Ace> dacl) {

  /** ACCESS_ALLOWED_ACE_TYPE. */
  static final int ACCESS_ALLOWED = 0x00;
  /** ACCESS_ALLOWED_OBJECT_ACE_TYPE. */
  static final int ACCESS_ALLOWED_OBJECT = 0x05;
  /** ACCESS_DENIED_ACE_TYPE. */
  static final int ACCESS_DENIED = 0x01;
  /** ACCESS_DENIED_OBJECT_ACE_TYPE. */
  static final int ACCESS_DENIED_OBJECT = 0x06;
  /** CONTAINER_INHERIT_ACE: inherited by child containers (AD objects). */
  static final int CONTAINER_INHERIT = 0x02;
  /** INHERIT_ONLY_ACE: applies to descendants only. */
  static final int INHERIT_ONLY = 0x08;
  /** ADS_RIGHT_DS_READ_PROP. */
  static final int READ_PROPERTY = 0x10;
  /** ADS_RIGHT_DS_WRITE_PROP. */
  static final int WRITE_PROPERTY = 0x20;
  /** GENERIC_ALL. */
  static final int GENERIC_ALL = 0x1000_0000;

  private static final int SE_DACL_PRESENT = 0x0004;
  private static final int OBJECT_TYPE_PRESENT = 0x1;
  private static final int INHERITED_OBJECT_TYPE_PRESENT = 0x2;

  SecurityDescriptor {
    dacl = List.copyOf(dacl);
  }

  /**
   * One ACE.
   *
   * @param objectType the property or class the ACE is about; null for all
   * @param inheritedObjectType the class of descendant objects it applies to; null for all
   */
  record Ace(int type, int flags, int mask, UUID objectType, UUID inheritedObjectType, String sid) {
    boolean denies() {
      return type == ACCESS_DENIED || type == ACCESS_DENIED_OBJECT;
    }
  }

  static SecurityDescriptor parse(byte[] sd) {
    ByteBuffer b = ByteBuffer.wrap(sd).order(ByteOrder.LITTLE_ENDIAN);
    need(b, 0, 20, "the security descriptor header");
    if (sd[0] != 1) {
      throw new IllegalArgumentException("security descriptor revision " + sd[0] + " at offset 0");
    }
    int control = Short.toUnsignedInt(b.getShort(2));
    int daclOffset = b.getInt(16);
    List<Ace> aces = new ArrayList<>();
    if ((control & SE_DACL_PRESENT) == 0 || daclOffset == 0) {
      return new SecurityDescriptor(aces);
    }
    need(b, daclOffset, 8, "the DACL header");
    int aclSize = Short.toUnsignedInt(b.getShort(daclOffset + 2));
    int count = Short.toUnsignedInt(b.getShort(daclOffset + 4));
    need(b, daclOffset, aclSize, "the DACL");
    int at = daclOffset + 8;
    int aclEnd = daclOffset + aclSize;
    for (int i = 0; i < count; i++) {
      need(b, at, 4, "ACE " + i);
      int type = Byte.toUnsignedInt(sd[at]);
      int flags = Byte.toUnsignedInt(sd[at + 1]);
      int size = Short.toUnsignedInt(b.getShort(at + 2));
      if (size < 8) {
        throw new IllegalArgumentException("ACE " + i + " has size " + size + " at offset " + at);
      }
      need(b, at, size, "ACE " + i);
      if (at + size > aclEnd) {
        throw new IllegalArgumentException("ACE " + i + " runs past the end of the DACL ("
            + aclSize + " bytes) at offset " + at);
      }
      boolean objectAce = type == ACCESS_ALLOWED_OBJECT || type == ACCESS_DENIED_OBJECT;
      if (objectAce || type == ACCESS_ALLOWED || type == ACCESS_DENIED) {
        int mask = b.getInt(at + 4);
        int p = at + 8;
        UUID object = null;
        UUID inherited = null;
        if (objectAce) {
          need(b, p, 4, "the object flags of ACE " + i);
          int objectFlags = b.getInt(p);
          p += 4;
          if ((objectFlags & OBJECT_TYPE_PRESENT) != 0) {
            need(b, p, 16, "the object type of ACE " + i);
            object = guid(sd, p);
            p += 16;
          }
          if ((objectFlags & INHERITED_OBJECT_TYPE_PRESENT) != 0) {
            need(b, p, 16, "the inherited object type of ACE " + i);
            inherited = guid(sd, p);
            p += 16;
          }
        }
        aces.add(new Ace(type, flags, mask, object, inherited, sid(sd, p, at + size)));
      } else {
        aces.add(new Ace(type, flags, 0, null, null, null));
      }
      at += size;
    }
    return new SecurityDescriptor(aces);
  }

  /** A GUID in Microsoft byte order (the first three fields little-endian). */
  static UUID guid(byte[] b, int at) {
    ByteBuffer le = ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN);
    long d1 = Integer.toUnsignedLong(le.getInt());
    long d2 = Short.toUnsignedLong(le.getShort());
    long d3 = Short.toUnsignedLong(le.getShort());
    long high = (d1 << 32) | (d2 << 16) | d3;
    long low = ByteBuffer.wrap(b, at + 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    return new UUID(high, low);
  }

  /** A binary SID ([MS-DTYP] 2.4.2.2) as its S-1-... string, ending no later than {@code end}. */
  static String sid(byte[] b, int at, int end) {
    if (at + 8 > end) {
      throw new IllegalArgumentException("truncated SID at offset " + at);
    }
    int subCount = Byte.toUnsignedInt(b[at + 1]);
    if (at + 8 + 4 * subCount > end) {
      throw new IllegalArgumentException("truncated SID at offset " + at);
    }
    long authority = 0;
    for (int i = 2; i < 8; i++) {
      authority = (authority << 8) | Byte.toUnsignedLong(b[at + i]);
    }
    StringBuilder s = new StringBuilder("S-").append(Byte.toUnsignedInt(b[at])).append('-')
        .append(authority);
    ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < subCount; i++) {
      s.append('-').append(Integer.toUnsignedLong(le.getInt(at + 8 + 4 * i)));
    }
    return s.toString();
  }

  private static void need(ByteBuffer b, int at, int length, String what) {
    if (at < 0 || length < 0 || at + length > b.capacity()) {
      throw new IllegalArgumentException(what + " runs past the end (" + b.capacity()
          + " bytes) at offset " + at);
    }
  }
}
