package dev.keytrust.credential;

import dev.keytrust.internal.json.JsonException;
import dev.keytrust.internal.json.StrictJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Recognises and decodes the KeyMaterial entry (MS-ADTS 2.2.20.5, spec §10). Never throws: anything
 * malformed becomes {@link UnknownKeyMaterial} with the reason.
 */
final class KeyMaterials {
  static final int PCP_KEY_MAGIC = 0x4D504350; // "PCPM"
  static final int PCP_TYPE_TPM20 = 2;
  /** PCP_KEY_BLOB_WIN8 up to cbTpm12HostageBlob: 13 DWORDs. */
  static final int PCP_MIN_HEADER = 52;

  static final int TPM_ALG_RSA = 0x0001;
  static final int TPM_ALG_NULL = 0x0010;
  static final int TPM_ALG_RSASSA = 0x0014;
  static final int TPM_ALG_RSAES = 0x0015;
  static final int TPM_ALG_RSAPSS = 0x0016;
  static final int TPM_ALG_OAEP = 0x0017;

  /** FIDO key material JSON: at most this many bytes and nesting levels. */
  static final int MAX_JSON_BYTES = 64 * 1024;
  static final int MAX_JSON_DEPTH = 16;

  static final int AUTH_DATA_FLAG_AT = 0x40;
  static final int AUTH_DATA_FLAG_ED = 0x80;

  private KeyMaterials() {}

  static KeyMaterial parse(byte[] value) {
    try {
      if (value.length >= 4) {
        int magic = ByteBuffer.wrap(value, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (magic == BcryptKeyBlob.RSA1_MAGIC) {
          return bcryptRsa(value);
        }
        if (magic == BcryptKeyBlob.ECS1_MAGIC) {
          return bcryptEcc(value);
        }
        if (magic == PCP_KEY_MAGIC) {
          return pcp(value);
        }
      }
      if (value.length > 0 && value[0] == 0x30) {
        return pkcs1(value);
      }
      if (value.length > 0 && value[0] == '{') {
        return fido(value);
      }
      return new UnknownKeyMaterial(value, "unrecognised key material encoding");
    } catch (StructureException e) {
      return new UnknownKeyMaterial(value, e.getMessage());
    }
  }

  /** BCRYPT_RSAKEY_BLOB (bcrypt.h), read by {@link BcryptKeyBlob}. */
  static RsaKeyMaterial bcryptRsa(byte[] value) throws StructureException {
    BcryptKeyBlob blob = BcryptKeyBlob.decode(value);
    return new RsaKeyMaterial(KeyMaterialFormat.BCRYPT_RSAKEY_BLOB, value, blob.rsaModulus(), blob.rsaExponent());
  }

  private static RsaKeyMaterial rsa(
      KeyMaterialFormat format, byte[] value, BigInteger n, BigInteger e, long declaredBits)
      throws StructureException {
    if (n.signum() == 0 || e.signum() == 0) {
      throw new StructureException(format + ": zero modulus or exponent");
    }
    if (declaredBits > 0 && n.bitLength() > declaredBits) {
      throw new StructureException(
          format + ": the modulus has " + n.bitLength() + " bits, more than the declared " + declaredBits);
    }
    return new RsaKeyMaterial(format, value, n, e);
  }

  /** BCRYPT_ECCKEY_BLOB with BCRYPT_ECDSA_PUBLIC_P256_MAGIC, read by {@link BcryptKeyBlob}. */
  static EcKeyMaterial bcryptEcc(byte[] value) throws StructureException {
    BcryptKeyBlob blob = BcryptKeyBlob.decode(value); // the framing: the point is checked once, by the record
    try {
      return new EcKeyMaterial(value, blob.xUnsafe(), blob.yUnsafe());
    } catch (IllegalArgumentException notAPoint) { // the coordinates are 32 bytes each: off the curve
      throw BcryptKeyBlob.notOnCurve();
    }
  }

  /** DER RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1). */
  static RsaKeyMaterial pkcs1(byte[] value) throws StructureException {
    Der.Reader outer = new Der.Reader(value, 0, value.length, "PKCS#1 RSAPublicKey");
    Der.Reader seq = outer.sequence();
    outer.expectEnd();
    BigInteger n = seq.positiveInteger("modulus");
    BigInteger e = seq.positiveInteger("publicExponent");
    seq.expectEnd();
    return rsa(KeyMaterialFormat.PKCS1_RSA_PUBLIC_KEY, value, n, e, 0);
  }

  /**
   * PCP_KEY_BLOB_WIN8 (the Microsoft Platform Crypto Provider's TPM key blob) of a TPM 2.0 RSA key:
   * a little-endian header of sizes, then at cbHeader the TPM2B_PUBLIC (TCG Part 2, big-endian).
   */
  static RsaKeyMaterial pcp(byte[] value) throws StructureException {
    ByteReader h = new ByteReader(value, 4, "PCP_KEY_BLOB");
    int cbHeader = h.lengthU32le("cbHeader");
    if (cbHeader < PCP_MIN_HEADER) {
      throw new StructureException("PCP_KEY_BLOB: cbHeader " + cbHeader + " is below " + PCP_MIN_HEADER);
    }
    long pcpType = h.u32le("pcpType");
    if (pcpType != PCP_TYPE_TPM20) {
      throw new StructureException("PCP_KEY_BLOB: pcpType " + pcpType + " is not TPM 2.0");
    }
    h.u32le("flags");
    long cbPublic = h.u32le("cbPublic");
    long total = cbHeader + cbPublic;
    // cbPrivate, cbMigrationPublic, cbMigrationPrivate, cbPolicyDigestList, cbPCRBinding,
    // cbPCRDigest, cbEncryptedSecret, cbTpm12HostageBlob: the parts that follow the public area.
    for (int i = 0; i < 8; i++) {
      total += h.u32le("size field " + i);
    }
    if (total != value.length) {
      throw new StructureException(
          "PCP_KEY_BLOB: header and parts add up to " + total + " bytes, the blob has " + value.length);
    }
    if (cbPublic < 2) {
      throw new StructureException("PCP_KEY_BLOB: cbPublic " + cbPublic + " is too small");
    }
    ByteReader p = new ByteReader(
        java.util.Arrays.copyOfRange(value, cbHeader, cbHeader + (int) cbPublic), 0, "TPM2B_PUBLIC");
    int size = p.u16be("size");
    if (size != cbPublic - 2) {
      throw new StructureException("TPM2B_PUBLIC: size " + size + " does not match cbPublic " + cbPublic);
    }
    int type = p.u16be("type");
    if (type != TPM_ALG_RSA) {
      throw new StructureException(String.format("TPMT_PUBLIC: type 0x%04X is not TPM_ALG_RSA", type));
    }
    p.u16be("nameAlg");
    p.u32be("objectAttributes");
    p.skip(p.u16be("authPolicy.size"), "authPolicy");
    int symmetric = p.u16be("symmetric.algorithm");
    if (symmetric != TPM_ALG_NULL) {
      p.u16be("symmetric.keyBits");
      p.u16be("symmetric.mode");
    }
    int scheme = p.u16be("scheme.scheme");
    if (scheme == TPM_ALG_RSASSA || scheme == TPM_ALG_RSAPSS || scheme == TPM_ALG_OAEP) {
      p.u16be("scheme.details.hashAlg");
    } else if (scheme != TPM_ALG_NULL && scheme != TPM_ALG_RSAES) {
      throw new StructureException(String.format("TPMS_RSA_PARMS: unknown scheme 0x%04X", scheme));
    }
    int keyBits = p.u16be("keyBits");
    long exponent = p.u32be("exponent");
    int uniqueSize = p.u16be("unique.size");
    if (keyBits == 0 || uniqueSize != (keyBits + 7) / 8) {
      throw new StructureException(
          "TPMT_PUBLIC: unique is " + uniqueSize + " bytes for a " + keyBits + "-bit key");
    }
    BigInteger n = new BigInteger(1, p.bytes(uniqueSize, "unique.buffer"));
    p.expectEnd();
    BigInteger e = BigInteger.valueOf(exponent == 0 ? 65537 : exponent);
    return rsa(KeyMaterialFormat.PCP_KEY_BLOB, value, n, e, keyBits);
  }

  /**
   * FIDO key material (MS-ADTS 2.2.20.5.2): {@code {"version":1,"authData":"<base64>","x5c":[...],
   * "displayName":"..."}}. authData (WebAuthn §6.1): rpIdHash(32) flags(1) signCount(4 BE), then
   * attested credential data: AAGUID(16) credentialIdLength(2 BE) credentialId, COSE key (CBOR),
   * then CBOR extensions when flag ED is set, and nothing else.
   */
  static FidoKeyMaterial fido(byte[] value) throws StructureException {
    Object parsed;
    try {
      parsed = StrictJson.parse(value, MAX_JSON_BYTES, MAX_JSON_DEPTH);
    } catch (JsonException e) {
      throw new StructureException("FIDO JSON: " + e.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> json)) {
      throw new StructureException("FIDO JSON: not a JSON object");
    }
    Object version = json.get("version");
    if (version != null
        && !(version instanceof BigDecimal v && v.compareTo(BigDecimal.ONE) == 0)) {
      throw new StructureException("FIDO JSON: version is not 1");
    }
    if (!(json.get("authData") instanceof String authDataText)) {
      throw new StructureException("FIDO JSON: no authData string (JWK or other JSON is not supported)");
    }
    Object x5c = json.get("x5c");
    if (x5c != null && !(x5c instanceof List<?> list && list.stream().allMatch(String.class::isInstance))) {
      throw new StructureException("FIDO JSON: x5c is not an array of strings");
    }
    Object displayName = json.get("displayName");
    if (displayName != null && !(displayName instanceof String)) {
      throw new StructureException("FIDO JSON: displayName is not a string");
    }
    byte[] authData = base64(authDataText);

    ByteReader r = new ByteReader(authData, 0, "FIDO authData");
    byte[] rpIdHash = r.bytes(32, "rpIdHash");
    int flags = r.u8("flags");
    long signCount = r.u32be("signCount");
    if ((flags & AUTH_DATA_FLAG_AT) == 0) {
      throw new StructureException("FIDO authData: no attested credential data (flag AT clear)");
    }
    byte[] aaguidBytes = r.bytes(16, "aaguid");
    int credIdLength = r.u16be("credentialIdLength");
    byte[] credentialId = r.bytes(credIdLength, "credentialId");
    Cbor.Item cose = Cbor.read(authData, r.position());
    int end = cose.end();
    if ((flags & AUTH_DATA_FLAG_ED) != 0) {
      Cbor.Item extensions = Cbor.read(authData, end);
      if (!(extensions.value() instanceof Map)) {
        throw new StructureException("FIDO authData: extensions are not a CBOR map");
      }
      end = extensions.end();
    }
    if (end != authData.length) {
      throw new StructureException(
          "FIDO authData: " + (authData.length - end) + " unexpected bytes after offset " + end);
    }
    byte[][] xy = es256Point(cose.value());
    ByteBuffer aaguid = ByteBuffer.wrap(aaguidBytes);
    return new FidoKeyMaterial(
        value, xy[0], xy[1], new UUID(aaguid.getLong(), aaguid.getLong()), credentialId, signCount,
        flags, rpIdHash, (String) displayName);
  }

  /** COSE_Key (RFC 9053): kty(1) = EC2(2), alg(3) = ES256(-7), crv(-1) = P-256(1), x(-2), y(-3). */
  private static byte[][] es256Point(Object coseKey) throws StructureException {
    if (!(coseKey instanceof Map<?, ?> key)) {
      throw new StructureException("COSE key: not a CBOR map");
    }
    if (!Long.valueOf(2).equals(key.get(1L))) {
      throw new StructureException("COSE key: kty is not EC2 (only ES256 P-256 keys are decoded)");
    }
    if (!Long.valueOf(-7).equals(key.get(3L))) {
      throw new StructureException("COSE key: alg is not ES256");
    }
    if (!Long.valueOf(1).equals(key.get(-1L))) {
      throw new StructureException("COSE key: crv is not P-256");
    }
    if (!(key.get(-2L) instanceof byte[] x) || x.length != 32
        || !(key.get(-3L) instanceof byte[] y) || y.length != 32) {
      throw new StructureException("COSE key: x and y must be 32-byte strings");
    }
    if (!P256.isOnCurve(x, y)) {
      throw new StructureException("COSE key: the point is not on the P-256 curve");
    }
    return new byte[][] {x, y};
  }

  /** Standard Base64 with padding, canonical (re-encoding gives the same text). */
  private static byte[] base64(String text) throws StructureException {
    byte[] out;
    try {
      out = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new StructureException("FIDO JSON: authData is not valid Base64");
    }
    if (!Base64.getEncoder().encodeToString(out).equals(text)) {
      throw new StructureException("FIDO JSON: authData is not canonical padded Base64");
    }
    return out;
  }
}
