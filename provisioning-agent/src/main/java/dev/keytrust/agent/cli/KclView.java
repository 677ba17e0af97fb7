package dev.keytrust.agent.cli;

import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.EcKeyMaterial;
import dev.keytrust.credential.FidoKeyMaterial;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialEntry;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.credential.KeyMaterial;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.credential.RsaKeyMaterial;
import dev.keytrust.credential.UnknownKeyMaterial;
import dev.keytrust.error.KeytrustException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How {@code keytrust kcl decode} shows a key credential: a JSON object whose field names are those
 * of the shared vectors' {@code expect} objects, or a readable report.
 *
 * <p>JSON: hex upper-case, GUIDs lower-case, times ISO-8601 UTC instants with all seven fraction
 * digits (100 ns), absent values null. Every top-level key is always present; {@code keyMaterial}
 * carries only the keys that apply to its format.
 */
final class KclView {

  /** Instants with exactly 7 fraction digits, as .NET's "o" format prints them. */
  static final DateTimeFormatter INSTANT = new DateTimeFormatterBuilder().appendInstant(7).toFormatter();
  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  /** Hex values longer than this many digits are shortened in the report (JSON has them whole). */
  private static final int REPORT_HEX_DIGITS = 64;

  private KclView() {}

  // ---------------------------------------------------------------- JSON

  /** The {@code --json} object of a decoded value. */
  static Map<String, Object> json(KeyCredential kc, String ownerDn) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", false);
    m.put("version", kc.version());
    m.put("keyId", kc.keyId().map(KclView::hex).orElse(null));
    m.put("keyHash", kc.keyHash().map(KclView::hex).orElse(null));
    m.put("keyHashValid", kc.keyHashValid().orElse(null));
    m.put("keyIdMatchesKeyMaterial", kc.keyIdMatchesKeyMaterial().orElse(null));
    m.put("usageCode", kc.usageCode().isPresent() ? kc.usageCode().getAsInt() : null);
    m.put("usage", kc.usage().map(Enum::name).orElse(null));
    m.put("sourceCode", kc.sourceCode().isPresent() ? kc.sourceCode().getAsInt() : null);
    m.put("source", kc.source().map(Enum::name).orElse(null));
    m.put("deviceId", kc.deviceId().map(Object::toString).orElse(null));
    m.put("customKeyInformationHex", kc.customKeyInformation().map(c -> hex(c.encoded())).orElse(null));
    m.put("creationTime", kc.creationTime().map(KclView::time).orElse(null));
    m.put("lastLogonTime", kc.lastLogonTime().map(KclView::time).orElse(null));
    m.put("entryIds", kc.entryIds());
    m.put("keyMaterial", kc.keyMaterial().map(KclView::material).orElse(null));
    m.put("ownerDn", ownerDn);
    m.put("roundTripIdentical", kc.roundTripIdentical());
    m.put("weakKey", kc.weakKey().orElse(null));
    m.put("unknownEntries", kc.unknownEntries().stream().map(KclView::unknownEntry).toList());
    return m;
  }

  private static Map<String, Object> material(KeyMaterial km) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", km.format().name());
    m.put("length", km.length());
    if (km instanceof RsaKeyMaterial rsa) {
      m.put("algorithm", rsa.algorithm());
      m.put("keyBits", rsa.keyBits());
      m.put("modulus", hex(rsa.modulusBytes()));
      m.put("exponent", rsa.exponent());
    } else if (km instanceof EcKeyMaterial ec) {
      m.put("algorithm", ec.algorithm());
      m.put("curve", ec.curve());
      m.put("x", hex(ec.x()));
      m.put("y", hex(ec.y()));
    } else if (km instanceof FidoKeyMaterial fido) {
      m.put("algorithm", fido.algorithm());
      m.put("curve", fido.curve());
      m.put("x", hex(fido.x()));
      m.put("y", hex(fido.y()));
      m.put("aaguid", fido.aaguid().toString());
      m.put("credentialId", hex(fido.credentialId()));
      m.put("signCount", fido.signCount());
    }
    return m;
  }

  private static Map<String, Object> unknownEntry(KeyCredentialEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("offset", e.offset());
    m.put("length", e.length());
    m.put("value", hex(e.value()));
    return m;
  }

  /** The {@code --json} object of a failure: {@code {"error": {"code", "offset", "message"}}}. */
  static Map<String, Object> error(KeytrustException e) {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("code", e.code().id());
    inner.put("offset", e instanceof KeyCredentialFormatException f ? f.offset() : null);
    inner.put("message", e.getMessage());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", inner);
    return m;
  }

  // ---------------------------------------------------------------- report

  /** The readable report of a decoded value. */
  static String text(KeyCredential kc, KclInput.Decoded input) {
    Report r = new Report().section("msDS-KeyCredentialLink value");
    r.row("Input", input.describe() + ", " + input.blob().length + " bytes");
    r.row("Owner DN", input.ownerDn() == null ? "- (none: the input was not DN-binary)" : safe(input.ownerDn()));
    r.row("Version", String.format("0x%X", kc.version()) + versionNote(kc.version()));
    r.row("Entries", kc.entryIds().stream().map(id -> String.format("0x%02X", id))
        .collect(Collectors.joining(", ")) + (kc.entryIds().isEmpty() ? "none" : ""));
    r.row("Re-encodes identically", Report.yesNo(kc.roundTripIdentical()));

    r.section("Identity and integrity");
    r.row("KeyID", kc.keyId().map(KclView::shortHex).orElse("- (no KeyID entry)"));
    r.row("KeyID check", keyIdVerdict(kc));
    r.row("KeyHash", kc.keyHash().map(KclView::shortHex).orElse("- (no KeyHash entry)"));
    r.row("KeyHash check", keyHashVerdict(kc));

    r.section("Properties");
    r.row("Usage", kc.usage().map(u -> usage(u, kc)).orElse("- (no KeyUsage entry)"));
    r.row("Source", kc.source().map(s -> source(s, kc)).orElse("- (no KeySource entry; timestamps read as AD)"));
    r.row("Device id", kc.deviceId().map(Object::toString).orElse("- (no DeviceId entry)"));
    r.row("Custom key information", kc.customKeyInformation().map(KclView::cki).orElse("- (no entry)"));
    r.row("Created", kc.creationTime().map(KclView::time).orElse("- (absent or never)"));
    r.row("Last logon", kc.lastLogonTime().map(KclView::time).orElse("- (absent or never)"));
    r.row("Timestamp encoding", kc.timestampEncoding().name());

    r.section("Key material");
    if (kc.keyMaterial().isEmpty()) {
      r.row("Key material", "- (no KeyMaterial entry)");
    } else {
      keyMaterialRows(r, kc.keyMaterial().get());
    }

    List<KeyCredentialEntry> unknown = kc.unknownEntries();
    if (!unknown.isEmpty()) {
      r.section("Unknown entries (kept as found)");
      for (KeyCredentialEntry e : unknown) {
        r.row(String.format("Entry 0x%02X at byte %d", e.id(), e.offset()),
            e.length() + " bytes" + (e.length() == 0 ? "" : ": " + shortHex(e.value())));
      }
    }

    StringBuilder out = new StringBuilder(r.render());
    if (kc.weakKey().orElse(false)) {
      out.append("\nWARNING: the RSA key has the ROCA fingerprint (CVE-2017-15361, Infineon RSALib): it can be\n"
          + "factored. Remove this key credential and enroll a new key (update the TPM firmware first).\n");
    }
    return out.toString();
  }

  private static String versionNote(int version) {
    return switch (version) {
      case KeyCredential.VERSION_2 -> " (version 2)";
      case KeyCredential.VERSION_1 -> " (version 1: device keys, .NET timestamps)";
      default -> " (version 0: legacy, 4-byte aligned entries)";
    };
  }

  private static String keyIdVerdict(KeyCredential kc) {
    if (kc.keyId().isEmpty()) {
      return "not checked (no KeyID entry)";
    }
    if (kc.keyIdMatchesKeyMaterial().isEmpty()) {
      return "not checked (no KeyMaterial entry)";
    }
    if (kc.keyIdMatchesKeyMaterial().get()) {
      return "matches key material (SHA-256 of KeyMaterial)";
    }
    boolean fido = kc.keyMaterial().orElse(null) instanceof FidoKeyMaterial
        || kc.usage().orElse(null) == KeyUsage.FIDO;
    if (fido) {
      return "not applicable (FIDO: the KeyID is the credential id)";
    }
    if (kc.version() == KeyCredential.VERSION_1) {
      return "not applicable (version 0x100: the KeyID is a GUID)";
    }
    return "does NOT match key material (it is not SHA-256 of KeyMaterial)";
  }

  private static String keyHashVerdict(KeyCredential kc) {
    if (kc.keyHashValid().isEmpty()) {
      return "not checked (no KeyHash entry)";
    }
    return kc.keyHashValid().get()
        ? "valid (SHA-256 of the entries after it)"
        : "INVALID (not SHA-256 of the entries after it; Windows does not enforce it, some tools wrote "
            + "wrong values)";
  }

  private static String usage(KeyUsage u, KeyCredential kc) {
    if (kc.usageCode().isEmpty()) {
      return "UNKNOWN (not a one-byte code: a legacy usage value)";
    }
    return u.name() + String.format(" (0x%02X)", kc.usageCode().getAsInt());
  }

  private static String source(KeySource s, KeyCredential kc) {
    return s.name() + String.format(" (0x%02X)", kc.sourceCode().getAsInt());
  }

  private static String cki(CustomKeyInformation c) {
    StringBuilder b = new StringBuilder(shortHex(c.encoded()));
    if (c.isShort()) {
      b.append(" (shorter than the 2 bytes the specification requires)");
    } else {
      b.append(" (version ").append(c.version().getAsInt()).append(", flags ")
          .append(String.format("0x%02X", c.flags().getAsInt()));
      if (c.hasFlag(CustomKeyInformation.FLAG_ATTESTATION)) {
        b.append(" ATTESTATION");
      }
      if (c.hasFlag(CustomKeyInformation.FLAG_MFA_NOT_USED)) {
        b.append(" MFA_NOT_USED");
      }
      b.append(", ").append(c.length()).append(" bytes)");
    }
    return b.toString();
  }

  private static void keyMaterialRows(Report r, KeyMaterial km) {
    r.row("Format", km.format().name() + ", " + km.length() + " bytes");
    if (km instanceof RsaKeyMaterial rsa) {
      r.row("Algorithm", "RSA " + rsa.keyBits() + " bits");
      r.row("Exponent", rsa.exponent());
      r.row("Modulus", shortHex(rsa.modulusBytes()));
      r.row("Weak key (ROCA)", rsa.weakKey() ? "YES: CVE-2017-15361, the key can be factored" : "NO");
    } else if (km instanceof EcKeyMaterial ec) {
      r.row("Algorithm", "EC " + ec.curve());
      r.row("X", hex(ec.x()));
      r.row("Y", hex(ec.y()));
    } else if (km instanceof FidoKeyMaterial fido) {
      r.row("Algorithm", "EC " + fido.curve() + " (FIDO2 security key)");
      r.row("X", hex(fido.x()));
      r.row("Y", hex(fido.y()));
      r.row("AAGUID", fido.aaguid());
      r.row("Credential id", shortHex(fido.credentialId()));
      r.row("Sign count", fido.signCount());
      if (fido.displayName() != null) {
        r.row("Display name", safe(fido.displayName()));
      }
    } else if (km instanceof UnknownKeyMaterial unknown) {
      r.row("Not decoded", safe(unknown.reason()));
    }
  }

  static String hex(byte[] b) {
    return HEX.formatHex(b);
  }

  /** Whole hex up to {@value #REPORT_HEX_DIGITS} digits, else the ends and the byte count. */
  private static String shortHex(byte[] b) {
    String h = hex(b);
    if (h.length() <= REPORT_HEX_DIGITS) {
      return h;
    }
    return h.substring(0, 24) + "..." + h.substring(h.length() - 24) + " (" + b.length + " bytes; --json shows all)";
  }

  /** Control and format characters of untrusted text as \\uXXXX, so they cannot drive the terminal. */
  static String safe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean hidden = Character.isISOControl(c) || Character.getType(c) == Character.FORMAT;
      b.append(hidden ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.toString();
  }

  static String time(Instant t) {
    return INSTANT.format(t);
  }
}
