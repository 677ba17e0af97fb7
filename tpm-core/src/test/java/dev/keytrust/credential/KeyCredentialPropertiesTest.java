package dev.keytrust.credential;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * Property-based tests (jqwik) of the KeyCredentialLink codec: random credentials built with {@link
 * KeyCredential#build} round-trip byte for byte and give back what they were built from; hand-made
 * blobs of every version with random entries round-trip; DN-binary values with any DN (colons
 * included) round-trip; and no mutation or truncation of a valid blob or DN-binary value makes the
 * parsers throw anything but {@link KeyCredentialFormatException}.
 *
 * <p>Tries are kept modest so the class runs in a few seconds; the coverage-guided search for
 * crashes is {@link KeyCredentialFuzzTest}.
 */
class KeyCredentialPropertiesTest {

  /** A small pool of keys, generated once: key generation is far slower than the codec. */
  private static final List<PublicKey> KEYS = keyPool();

  /** 1601-01-01T00:00:00.0000001Z .. 9999-12-31T23:59:59.9999999Z: encodable as FILETIME and .NET. */
  private static final long MIN_TICKS_1601 = 1;
  private static final long MAX_TICKS_1601 =
      (Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() + Timestamps.FILETIME_EPOCH_OFFSET_SECONDS)
          * Timestamps.TICKS_PER_SECOND + 9_999_999;

  private static List<PublicKey> keyPool() {
    try {
      List<PublicKey> keys = new ArrayList<>();
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      keys.add(rsa.generateKeyPair().getPublic());
      keys.add(rsa.generateKeyPair().getPublic());
      rsa.initialize(new RSAKeyGenParameterSpec(1024, RSAKeyGenParameterSpec.F0));
      keys.add(rsa.generateKeyPair().getPublic());
      rsa.initialize(new RSAKeyGenParameterSpec(1025, BigInteger.valueOf(0x10001))); // not a whole number of bytes
      keys.add(rsa.generateKeyPair().getPublic());
      KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
      ec.initialize(new ECGenParameterSpec("secp256r1"));
      for (int i = 0; i < 3; i++) {
        keys.add(ec.generateKeyPair().getPublic());
      }
      return List.copyOf(keys);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a credential is built from. */
  record Spec(
      PublicKey key, KeyUsage usage, KeySource source, UUID deviceId, Instant created, Instant lastLogon,
      CustomKeyInformation cki, boolean pkcs1) {

    KeyCredentialOptions options() {
      return new KeyCredentialOptions(usage, source, deviceId, created, lastLogon, cki, pkcs1);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s %s %s device=%s created=%s lastLogon=%s cki=%s pkcs1=%s",
          key.getAlgorithm(), usage, source, deviceId, created, lastLogon,
          cki == null ? null : HexFormat.of().formatHex(cki.encoded()), pkcs1);
    }
  }

  // ------------------------------------------------------------------ generators

  private static Arbitrary<Instant> instants() {
    return Arbitraries.longs().between(MIN_TICKS_1601, MAX_TICKS_1601).map(ticks -> Instant.ofEpochSecond(
        Math.floorDiv(ticks, Timestamps.TICKS_PER_SECOND) - Timestamps.FILETIME_EPOCH_OFFSET_SECONDS,
        Math.floorMod(ticks, Timestamps.TICKS_PER_SECOND) * 100));
  }

  private static Arbitrary<CustomKeyInformation> ckis() {
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, 255).map(CustomKeyInformation::ofFlags),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40).map(CustomKeyInformation::new));
  }

  private static Arbitrary<UUID> uuids() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
  }

  @Provide
  Arbitrary<Spec> specs() {
    Arbitrary<PublicKey> keys = Arbitraries.of(KEYS);
    Arbitrary<KeyUsage> usages = Arbitraries.of(
        Arrays.stream(KeyUsage.values()).filter(u -> u != KeyUsage.UNKNOWN).toArray(KeyUsage[]::new));
    Arbitrary<KeySource> sources = Arbitraries.of(KeySource.AD, KeySource.AZURE_AD);
    return Combinators.combine(
            keys, usages, sources, uuids().injectNull(0.3), instants(), instants().injectNull(0.3),
            ckis().injectNull(0.25), Arbitraries.of(true, false))
        .as((key, usage, source, device, created, lastLogon, cki, pkcs1) ->
            new Spec(key, usage, source, device, created, lastLogon, cki, pkcs1 && key instanceof RSAPublicKey));
  }

  /** Valid blobs: freshly built ones and the real vectors. */
  @Provide
  Arbitrary<byte[]> validBlobs() throws Exception {
    List<byte[]> vectors = new ArrayList<>();
    KeyCredentialVectorsTest.valid().forEach(v -> vectors.add(v.hex()));
    Arbitrary<byte[]> built = specs().map(s -> {
      try {
        return KeyCredential.build(s.key(), s.options()).toByteArray();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    return Arbitraries.oneOf(built, Arbitraries.of(vectors));
  }

  /** One change to a blob: flip, set, insert, delete a byte, or truncate. */
  record Mutation(int kind, int position, byte value) {
    byte[] apply(byte[] b) {
      if (b.length == 0) {
        return kind == 2 ? new byte[] {value} : b;
      }
      int p = Math.floorMod(position, b.length);
      switch (kind) {
        case 0: { // flip bits
          byte[] out = b.clone();
          out[p] ^= value == 0 ? 1 : value;
          return out;
        }
        case 1: { // set
          byte[] out = b.clone();
          out[p] = value;
          return out;
        }
        case 2: { // insert
          byte[] out = new byte[b.length + 1];
          System.arraycopy(b, 0, out, 0, p);
          out[p] = value;
          System.arraycopy(b, p, out, p + 1, b.length - p);
          return out;
        }
        case 3: { // delete
          byte[] out = new byte[b.length - 1];
          System.arraycopy(b, 0, out, 0, p);
          System.arraycopy(b, p + 1, out, p, b.length - p - 1);
          return out;
        }
        default: // truncate
          return Arrays.copyOf(b, p);
      }
    }
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    // small values are the interesting ones for lengths and ids: favour them
    Arbitrary<Byte> values = Arbitraries.oneOf(
        Arbitraries.bytes(), Arbitraries.bytes().between((byte) 0, (byte) 16), Arbitraries.of((byte) 0xFF));
    Arbitrary<Mutation> one = Combinators.combine(
            Arbitraries.integers().between(0, 4), Arbitraries.integers().greaterOrEqual(0), values)
        .as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<String> dns() {
    Arbitrary<String> part = Arbitraries.strings()
        .alpha().numeric().withChars(" ,=:+;\\\"<>#B").withCharRange('\u00c0', '\u00ff').withChars('\u4e2d', '\u2028')
        .ofMinLength(0).ofMaxLength(30);
    Arbitrary<String> withColon = Combinators.combine(part, part).as((a, b) -> a + ":" + b);
    return Arbitraries.oneOf(part.filter(s -> !s.isEmpty()), withColon,
        Arbitraries.of("CN=alice,CN=Users,DC=contoso,DC=com", "CN = Admin,CN = Users,DC = contoso,DC = com",
            "CN=a\\:b,OU=x:y,DC=z", ":", "::", "B:2:00:CN=x"));
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 400)
  void builtCredentialsRoundTripAndGiveBackTheirInputs(@ForAll("specs") Spec s) throws Exception {
    Statistics.label("key").collect(s.key().getAlgorithm() + (s.pkcs1() ? " PKCS#1" : ""));
    Statistics.label("source").collect(s.source());
    Statistics.label("optional entries").collect(
        (s.deviceId() == null ? "" : "DeviceId ") + (s.cki() == null ? "" : "CKI ") + (s.lastLogon() == null ? "" : "LastLogon"));
    KeyCredential built = KeyCredential.build(s.key(), s.options());
    byte[] blob = built.toByteArray();

    KeyCredential kc = KeyCredential.parse(blob);
    assertThat(kc.toByteArray()).as("serialize(parse(serialize(x)))").isEqualTo(blob);
    assertThat(kc.roundTripIdentical()).isTrue();
    assertThat(kc).isEqualTo(built);

    assertThat(kc.version()).isEqualTo(KeyCredential.VERSION_2);
    List<Integer> ids = new ArrayList<>(List.of(1, 2, 3, 4, 5));
    if (s.deviceId() != null) {
      ids.add(6);
    }
    if (s.cki() != null) {
      ids.add(7);
    }
    if (s.lastLogon() != null) {
      ids.add(8);
    }
    ids.add(9);
    assertThat(kc.entryIds()).isEqualTo(ids);
    assertThat(kc.unknownEntries()).isEmpty();

    assertThat(kc.usage()).contains(s.usage());
    assertThat(kc.usageCode().getAsInt()).isEqualTo(s.usage().code());
    assertThat(kc.source()).contains(s.source());
    assertThat(kc.sourceCode().getAsInt()).isEqualTo(s.source().code());
    assertThat(kc.deviceId().orElse(null)).isEqualTo(s.deviceId());
    assertThat(kc.customKeyInformation().orElse(null)).isEqualTo(s.cki());
    assertThat(kc.creationTime()).contains(s.created());
    assertThat(kc.lastLogonTime().orElse(null)).isEqualTo(s.lastLogon());
    assertThat(kc.timestampEncoding()).isEqualTo(
        s.source() == KeySource.AD ? TimestampEncoding.FILETIME : TimestampEncoding.DOTNET_TO_BINARY);

    // KeyID = SHA-256(KeyMaterial value), KeyHash = SHA-256(every byte after the KeyHash entry),
    // computed here from the raw bytes
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    KeyCredentialEntry material = kc.entries().get(2);
    assertThat(material.id()).isEqualTo(3);
    assertThat(kc.keyId().orElseThrow()).isEqualTo(sha256.digest(material.value()));
    int afterHash = 4 + 3 + 32 + 3 + 32;
    assertThat(kc.keyHash().orElseThrow()).isEqualTo(sha256.digest(Arrays.copyOfRange(blob, afterHash, blob.length)));
    assertThat(kc.keyIdMatchesKeyMaterial()).contains(true);
    assertThat(kc.keyHashValid()).contains(true);

    KeyMaterial km = kc.keyMaterial().orElseThrow();
    if (s.key() instanceof RSAPublicKey rsa) {
      assertThat(km).isInstanceOf(RsaKeyMaterial.class);
      RsaKeyMaterial r = (RsaKeyMaterial) km;
      assertThat(r.format()).isEqualTo(
          s.pkcs1() ? KeyMaterialFormat.PKCS1_RSA_PUBLIC_KEY : KeyMaterialFormat.BCRYPT_RSAKEY_BLOB);
      assertThat(r.modulus()).isEqualTo(rsa.getModulus());
      assertThat(r.exponent()).isEqualTo(rsa.getPublicExponent());
      assertThat(r.keyBits()).isEqualTo(rsa.getModulus().bitLength());
      assertThat(r.toPublicKey()).isEqualTo(rsa);
      assertThat(kc.weakKey()).contains(false);
    } else {
      ECPublicKey ec = (ECPublicKey) s.key();
      assertThat(km).isInstanceOf(EcKeyMaterial.class);
      EcKeyMaterial e = (EcKeyMaterial) km;
      assertThat(new BigInteger(1, e.x())).isEqualTo(ec.getW().getAffineX());
      assertThat(new BigInteger(1, e.y())).isEqualTo(ec.getW().getAffineY());
      assertThat(e.toPublicKey()).isEqualTo(ec);
    }

    // and through the DN-binary string form
    DnBinary dnb = kc.toDnBinary("CN=x:y,DC=z");
    assertThat(KeyCredential.parse(DnBinary.parse(dnb.format()).binary()).toByteArray()).isEqualTo(blob);
  }

  @Property(tries = 400)
  void handMadeBlobsOfEveryVersionRoundTrip(
      @ForAll("versions") int version, @ForAll("entryLists") List<KeyCredentialEntry> entries,
      @ForAll("paddingBytes") byte padding) throws Exception {
    // version 0 aligns each value to 4 bytes; the codec keeps whatever the alignment bytes hold
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(Blobs.version(version));
    List<Integer> offsets = new ArrayList<>();
    for (KeyCredentialEntry e : entries) {
      offsets.add(out.size());
      out.writeBytes(Blobs.entry(e.id(), e.value()));
      if (version == KeyCredential.VERSION_0) {
        for (int i = 0; i < (4 - e.length() % 4) % 4; i++) {
          out.write(padding);
        }
      }
    }
    byte[] blob = out.toByteArray();

    KeyCredential kc = KeyCredential.parse(blob);
    assertThat(kc.toByteArray()).isEqualTo(blob);
    assertThat(kc.roundTripIdentical()).isTrue();
    assertThat(kc.version()).isEqualTo(version);
    assertThat(kc.entries()).hasSize(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      KeyCredentialEntry parsed = kc.entries().get(i);
      assertThat(parsed.id()).isEqualTo(entries.get(i).id());
      assertThat(parsed.value()).isEqualTo(entries.get(i).value());
      assertThat(parsed.offset()).isEqualTo(offsets.get(i));
    }
    assertThat(KeyCredential.parse(kc.toByteArray()).toByteArray()).isEqualTo(blob);
    ParserChecks.touchEverything(kc);
  }

  @Provide
  Arbitrary<Integer> versions() {
    return Arbitraries.of(KeyCredential.VERSION_0, KeyCredential.VERSION_1, KeyCredential.VERSION_2);
  }

  @Provide
  Arbitrary<Byte> paddingBytes() {
    return Arbitraries.oneOf(Arbitraries.just((byte) 0), Arbitraries.bytes());
  }

  /** Entries with valid sizes for the typed ids (5: 1, 6: 16, 8 and 9: 8) and anything for the rest. */
  @Provide
  Arbitrary<List<KeyCredentialEntry>> entryLists() {
    Arbitrary<Integer> ids = Arbitraries.oneOf(Arbitraries.integers().between(0, 10), Arbitraries.integers().between(0, 255));
    Arbitrary<KeyCredentialEntry> entry = ids.flatMap(id -> {
      int fixed = switch (id) {
        case 5 -> 1;
        case 6 -> 16;
        case 8, 9 -> 8;
        default -> -1;
      };
      Arbitrary<byte[]> values = fixed >= 0
          ? Arbitraries.bytes().array(byte[].class).ofSize(fixed)
          : Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(300);
      return values.map(v -> new KeyCredentialEntry(id, v, 0));
    });
    return entry.list().ofMinSize(0).ofMaxSize(12);
  }

  @Property(tries = 300)
  void dnBinaryFormatAndParseRoundTrip(
      @ForAll("dns") String dn, @ForAll("nonEmptyBytes") byte[] binary) throws Exception {
    DnBinary v = new DnBinary(binary, dn);
    String s = v.format();
    assertThat(s).isEqualTo("B:" + 2 * binary.length + ":" + HexFormat.of().withUpperCase().formatHex(binary) + ":" + dn);

    DnBinary parsed = DnBinary.parse(s);
    assertThat(parsed).isEqualTo(v);
    assertThat(parsed.dn()).isEqualTo(dn);
    assertThat(parsed.binary()).isEqualTo(binary);
    assertThat(parsed.format()).isEqualTo(s);

    // lower-case hex (pydsinternals, Impacket) reads the same
    String lower = "B:" + 2 * binary.length + ":" + HexFormat.of().formatHex(binary) + ":" + dn;
    assertThat(DnBinary.parse(lower)).isEqualTo(v);
  }

  @Provide
  Arbitrary<byte[]> nonEmptyBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 1000, shrinking = ShrinkingMode.FULL)
  void mutatedBlobsOnlyEverFailWithAFormatException(
      @ForAll("validBlobs") byte[] valid, @ForAll("mutations") List<Mutation> mutations) {
    byte[] blob = valid;
    for (Mutation m : mutations) {
      blob = m.apply(blob);
    }
    Statistics.label("outcome").collect(ParserChecks.checkBlob(blob) ? "parsed" : "KeyCredentialFormatException");
  }

  /** The KeyMaterial values of the vectors: RSA1, PKCS#1, PCP and FIDO JSON, plus ECS1 from the key pool. */
  @Provide
  Arbitrary<byte[]> keyMaterials() throws Exception {
    List<byte[]> materials = new ArrayList<>();
    KeyCredentialVectorsTest.valid().forEach(v -> {
      try {
        KeyCredential.parse(v.hex()).keyMaterial().ifPresent(km -> materials.add(km.encoded()));
      } catch (KeyCredentialFormatException e) {
        throw new IllegalStateException(e);
      }
    });
    for (PublicKey key : KEYS) {
      materials.add(KeyCredential.build(key, KeyCredentialOptions.userKey(null, Instant.EPOCH))
          .keyMaterial().orElseThrow().encoded());
    }
    return Arbitraries.of(materials);
  }

  private static final java.util.regex.Pattern AUTH_DATA = java.util.regex.Pattern.compile("\"authData\":\"([^\"]*)\"");

  /**
   * Key material decoding never throws, whatever the bytes: mutated RSA1, PKCS#1, PCP and ECS1 blobs,
   * and FIDO JSON whose authData (WebAuthn authenticator data with its CBOR COSE key) is mutated
   * inside its base64, which byte-level mutation of the blob would hardly ever reach.
   */
  @Property(tries = 1000)
  void mutatedKeyMaterialDecodesOrIsUnknownButNeverThrows(
      @ForAll("keyMaterials") byte[] material, @ForAll("mutations") List<Mutation> mutations) {
    byte[] value = material;
    String text = new String(material, java.nio.charset.StandardCharsets.ISO_8859_1);
    java.util.regex.Matcher m = AUTH_DATA.matcher(text);
    if (material[0] == '{' && m.find()) {
      byte[] authData = java.util.Base64.getDecoder().decode(m.group(1));
      for (Mutation mu : mutations) {
        authData = mu.apply(authData);
      }
      value = (text.substring(0, m.start(1)) + java.util.Base64.getEncoder().encodeToString(authData)
          + text.substring(m.end(1))).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    } else {
      for (Mutation mu : mutations) {
        value = mu.apply(value);
      }
    }
    KeyMaterial km;
    try {
      km = KeyMaterials.parse(value);
    } catch (Throwable t) {
      throw new AssertionError("KeyMaterials.parse threw " + t + " for " + HexFormat.of().formatHex(value), t);
    }
    assertThat(km.encoded()).isEqualTo(value);
    Statistics.label("decoded as").collect(km.getClass().getSimpleName());
    if (value.length <= 0xFFFF) {
      byte[] blob = Blobs.v2(Blobs.entry(1, new byte[32]), Blobs.entry(3, value), Blobs.entry(4, new byte[] {1}));
      assertThat(ParserChecks.checkBlob(blob)).isTrue();
    }
  }

  @Property(tries = 500)
  void mutatedDnBinaryValuesOnlyEverFailWithAFormatException(
      @ForAll("validBlobs") byte[] valid, @ForAll("dns") String dn, @ForAll("mutations") List<Mutation> mutations) {
    // mutate the string's bytes (Latin-1, so every byte is one char)
    byte[] text = new DnBinary(valid, dn).format().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    for (Mutation m : mutations) {
      text = m.apply(text);
    }
    String s = new String(text, java.nio.charset.StandardCharsets.ISO_8859_1);
    Statistics.label("outcome").collect(ParserChecks.checkDnBinary(s) ? "parsed" : "KeyCredentialFormatException");
  }
}
