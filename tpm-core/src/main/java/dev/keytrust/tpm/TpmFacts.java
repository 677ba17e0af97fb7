package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.session.PlainCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a TPM says about itself: TPM2_GetCapability properties, algorithms, curves, DA state
 * (marshalled and parsed by {@link PlainCommands}).
 */
final class TpmFacts {
  // TPM_PT values (TPM 2.0 Part 2, 6.13)
  static final int PT_FAMILY_INDICATOR = 0x100;
  static final int PT_REVISION = 0x102;
  static final int PT_YEAR = 0x104;
  static final int PT_MANUFACTURER = 0x105;
  static final int PT_VENDOR_STRING_1 = 0x106;
  static final int PT_FIRMWARE_VERSION_1 = 0x10B;
  static final int PT_FIRMWARE_VERSION_2 = 0x10C;
  static final int PT_PERMANENT = 0x200;
  static final int PT_HR_ACTIVE = 0x205;
  static final int PT_LOCKOUT_COUNTER = 0x20E;
  static final int PT_MAX_AUTH_FAIL = 0x20F;
  static final int PT_LOCKOUT_INTERVAL = 0x210;
  static final int PT_LOCKOUT_RECOVERY = 0x211;
  static final int PERMANENT_IN_LOCKOUT = 1 << 9;

  private TpmFacts() {}

  static Map<Integer, Integer> properties(TpmSession session, int first, int count) throws KeytrustException {
    Map<Integer, Integer> out = new HashMap<>();
    int next = first;
    while (next < first + count) {
      int from = next;
      PlainCommands.Properties r = PlainCommands.properties(session.commands(), from, first + count - from);
      int[] ps = r.properties();
      int[] vs = r.values();
      if (ps.length == 0) {
        break;
      }
      for (int i = 0; i < ps.length; i++) {
        out.put(ps[i], vs[i]);
        next = ps[i] + 1;
      }
      if (!r.moreData()) {
        break;
      }
    }
    return out;
  }

  private static int prop(Map<Integer, Integer> props, int pt) throws KeytrustException {
    Integer v = props.get(pt);
    if (v == null) {
      throw new KeytrustException(
          CoreErrorCode.TPM_COMMAND_FAILED, String.format("The TPM did not report property 0x%03X.", pt));
    }
    return v;
  }

  static DictionaryAttackState dictionaryAttackState(TpmSession session) throws KeytrustException {
    Map<Integer, Integer> v = properties(session, PT_PERMANENT, PT_LOCKOUT_RECOVERY - PT_PERMANENT + 1);
    return new DictionaryAttackState(
        prop(v, PT_LOCKOUT_COUNTER),
        prop(v, PT_MAX_AUTH_FAIL),
        Duration.ofSeconds(Integer.toUnsignedLong(prop(v, PT_LOCKOUT_INTERVAL))),
        Duration.ofSeconds(Integer.toUnsignedLong(prop(v, PT_LOCKOUT_RECOVERY))),
        (prop(v, PT_PERMANENT) & PERMANENT_IN_LOCKOUT) != 0);
  }

  static TpmInfo info(TpmSession session) throws KeytrustException {
    Map<Integer, Integer> f = properties(session, PT_FAMILY_INDICATOR, 0x30);
    String family = ascii(prop(f, PT_FAMILY_INDICATOR));
    int revision = prop(f, PT_REVISION);
    StringBuilder vendor = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      Integer part = f.get(PT_VENDOR_STRING_1 + i);
      if (part != null) {
        vendor.append(ascii(part));
      }
    }
    int fw1 = prop(f, PT_FIRMWARE_VERSION_1);
    int fw2 = f.getOrDefault(PT_FIRMWARE_VERSION_2, 0);
    String firmware = String.format("%d.%d.%d.%d (0x%08X 0x%08X)",
        fw1 >>> 16, fw1 & 0xFFFF, fw2 >>> 16, fw2 & 0xFFFF, fw1, fw2);
    return new TpmInfo(
        session.describe(),
        ascii(prop(f, PT_MANUFACTURER)),
        vendor.toString().trim(),
        firmware,
        family,
        String.format("%d.%02d", revision / 100, revision % 100),
        prop(f, PT_YEAR),
        algorithms(session),
        curves(session),
        dictionaryAttackState(session),
        List.of(session.srkStatus(TpmKeyType.RSA_2048), session.srkStatus(TpmKeyType.ECC_P256)));
  }

  private static String ascii(int v) {
    byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    StringBuilder sb = new StringBuilder();
    for (byte c : b) {
      if (c >= 0x20 && c < 0x7F) {
        sb.append((char) c);
      }
    }
    return sb.toString().trim();
  }

  private static List<String> algorithms(TpmSession session) throws KeytrustException {
    List<String> out = new ArrayList<>();
    int next = 0;
    while (true) {
      int from = next;
      PlainCommands.Ids r = PlainCommands.algorithms(session.commands(), from, 64);
      int[] as = r.ids();
      for (int id : as) {
        out.add(TcgNames.algorithm(id));
        next = id + 1;
      }
      if (!r.moreData() || as.length == 0) {
        return out;
      }
    }
  }

  private static List<String> curves(TpmSession session) throws KeytrustException {
    List<String> out = new ArrayList<>();
    for (int c : PlainCommands.eccCurves(session.commands(), 0, 64).ids()) {
      out.add(TcgNames.curve(c));
    }
    return out;
  }

}
