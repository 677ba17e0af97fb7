package dev.keytrust.credential;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hand-made blobs and the extra vectors for unit tests. */
final class Blobs {
  private Blobs() {}

  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  /** An entry: 2-byte LE length, id, value (no padding). */
  static byte[] entry(int id, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(value.length & 0xFF);
    out.write(value.length >>> 8);
    out.write(id);
    out.writeBytes(value);
    return out.toByteArray();
  }

  static byte[] version(int version) {
    return new byte[] {(byte) version, (byte) (version >>> 8), (byte) (version >>> 16), (byte) (version >>> 24)};
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A version 2 blob with the given entries. */
  static byte[] v2(byte[]... entries) {
    return concat(version(0x200), concat(entries));
  }

  /** id -> hex of keycredentiallink-extra.txt. */
  static Map<String, byte[]> extra() {
    try (InputStream in = Blobs.class.getResourceAsStream("/vectors/keycredentiallink-extra.txt")) {
      Map<String, byte[]> out = new LinkedHashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split(" \\| ");
        out.put(f[0], hex(f[2].trim()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] extra(String id) {
    byte[] b = extra().get(id);
    if (b == null) {
      throw new IllegalArgumentException("no extra vector " + id);
    }
    return b;
  }

  /** The hex input of a vector of keycredentiallink.json. */
  static byte[] vector(String id) {
    try {
      return KeyCredentialVectorsTest.vectors().stream()
          .filter(v -> v.id().equals(id))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no vector " + id))
          .hex();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The KeyMaterial value of a vector. */
  static byte[] material(String id) {
    try {
      return KeyCredential.parse(vector(id)).keyMaterial().orElseThrow().encoded();
    } catch (KeyCredentialFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** UserKey1 (DSInternals KeyCredential_Parse_UserKey1), from the shared vectors. */
  static final String USER_KEY_1 =
      "0002000020000120717AE052FCCF546AAD0D51E878AAD69CE04FDC39F5A8D8E3CEBA6BCB4DA0E720000214B7474E61C1001D3E546CFED8E387CFC1AC86A2CA7B3CDCF1267614585E2A341B0103525341310008000003000000000100000000000000000000010001C1A78914457758B0B13C70C710C7F8548F3F9ED56AD4640B6E6A112655C98ECAC1CBD68A298F5686C08439428A97FE6FDF58D78EA481905182BAD684C2D9C5CDE1CDE34AA19742E8BBF58B953EAC4C562FCF598CC176B02DBE9FFFEF5937A65815C236F92892F7E511A1FEDD5483CB33F1EA715D68106180DED2432A293367114A6E325E62F93F73D7ECE4B6A2BCDB829D95C8645C3073B94BA7CB7515CD29042F0967201C6E24A77821E92A6C756DF79841ACBAAE11D90CA03B9FCD24EF9E304B5D35248A7BD70557399960277058AE3E99C7C7E2284858B7BF8B08CDD286964186A50A7FCBCC6A24F00FEE5B9698BBD3B1AEAD0CE81FEA461C0ABD716843A50100040101000500100006E377F547D0D20A4A8ACAE0501098BDE40200070100080008417BD66E6603D401080009417BD66E6603D401";
}
