package dev.keytrust.credential;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields of {@code keytrust kcl decode --json} as the shared vectors name them, computed from
 * the public API only (a reference for the CLI author): hex upper-case, UUIDs lower-case, times as
 * ISO-8601 instants with exactly 7 fraction digits (100 ns, as .NET "o" prints them), absent = null.
 */
final class KcDecode {
  static final DateTimeFormatter INSTANT = new DateTimeFormatterBuilder().appendInstant(7).toFormatter();
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private KcDecode() {}

  static String hex(byte[] b) {
    return b == null ? null : HEX.formatHex(b);
  }

  static String time(Instant t) {
    return t == null ? null : INSTANT.format(t);
  }

  static Map<String, Object> fields(KeyCredential kc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", false);
    m.put("version", kc.version());
    m.put("keyId", hex(kc.keyId().orElse(null)));
    m.put("keyHash", hex(kc.keyHash().orElse(null)));
    m.put("keyHashValid", kc.keyHashValid().orElse(null));
    m.put("keyIdMatchesKeyMaterial", kc.keyIdMatchesKeyMaterial().orElse(null));
    m.put("usageCode", kc.usageCode().isPresent() ? kc.usageCode().getAsInt() : null);
    m.put("usage", kc.usage().map(Enum::name).orElse(null));
    m.put("sourceCode", kc.sourceCode().isPresent() ? kc.sourceCode().getAsInt() : null);
    m.put("source", kc.source().map(Enum::name).orElse(null));
    m.put("deviceId", kc.deviceId().map(Object::toString).orElse(null));
    m.put("customKeyInformationHex", hex(kc.customKeyInformation().map(CustomKeyInformation::encoded).orElse(null)));
    m.put("creationTime", time(kc.creationTime().orElse(null)));
    m.put("lastLogonTime", time(kc.lastLogonTime().orElse(null)));
    m.put("entryIds", kc.entryIds());
    m.put("keyMaterial", kc.keyMaterial().map(KcDecode::material).orElse(null));
    m.put("roundTripIdentical", kc.roundTripIdentical());
    m.put("weakKey", kc.weakKey().orElse(null));
    m.put("unknownEntries", kc.unknownEntries().stream()
        .map(e -> Map.of("id", e.id(), "offset", e.offset(), "value", hex(e.value())))
        .toList());
    return m;
  }

  static Map<String, Object> material(KeyMaterial km) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", km.format().name());
    m.put("length", km.length());
    if (km instanceof RsaKeyMaterial rsa) {
      m.put("algorithm", rsa.algorithm());
      m.put("keyBits", rsa.keyBits());
      m.put("exponent", rsa.exponent());
      m.put("modulus", hex(rsa.modulusBytes()));
    } else if (km instanceof EcKeyMaterial ec) {
      m.put("algorithm", ec.algorithm());
      m.put("keyBits", ec.keyBits());
      m.put("curve", ec.curve());
      m.put("x", hex(ec.x()));
      m.put("y", hex(ec.y()));
    } else if (km instanceof FidoKeyMaterial fido) {
      m.put("algorithm", fido.algorithm());
      m.put("keyBits", fido.keyBits());
      m.put("curve", fido.curve());
      m.put("x", hex(fido.x()));
      m.put("y", hex(fido.y()));
      m.put("aaguid", fido.aaguid().toString());
      m.put("credentialId", hex(fido.credentialId()));
      m.put("signCount", fido.signCount());
    } else if (km instanceof UnknownKeyMaterial unknown) {
      m.put("reason", unknown.reason());
    }
    return m;
  }
}
