package dev.keytrust.credential;

import static dev.keytrust.credential.Blobs.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each KeyMaterial format, and malformed instances of each becoming UNKNOWN with a reason. */
class KeyMaterialsTest {
  private static final String USER_KEY_1 = "dsinternals/KeyCredential_Parse_UserKey1";
  private static final String COMPUTER_KEY = "dsinternals/KeyCredential_Parse_ComputerKey";
  private static final String TPM_KEY = "webauthn-interop/KeyCredential_Parse_DeviceKey5";
  private static final String FIDO_KEY = "dsinternals/KeyCredential_Parse_UserKeyFIDO0";

  private static UnknownKeyMaterial unknown(byte[] material, String reasonPart) {
    KeyMaterial km = KeyMaterials.parse(material);
    assertThat(km).isInstanceOf(UnknownKeyMaterial.class);
    UnknownKeyMaterial u = (UnknownKeyMaterial) km;
    assertThat(u.reason()).contains(reasonPart);
    assertThat(u.encoded()).isEqualTo(material);
    assertThat(u.length()).isEqualTo(material.length);
    return u;
  }

  private static byte[] patchLe32(byte[] b, int offset, int value) {
    byte[] out = b.clone();
    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
    return out;
  }

  @Test
  void bcryptRsaBlob() throws Exception {
    RsaKeyMaterial rsa = (RsaKeyMaterial) KeyMaterials.parse(Blobs.material(USER_KEY_1));

    assertThat(rsa.format()).isEqualTo(KeyMaterialFormat.BCRYPT_RSAKEY_BLOB);
    assertThat(rsa.keyBits()).isEqualTo(2048);
    assertThat(rsa.exponent()).isEqualTo(BigInteger.valueOf(65537));
    assertThat(rsa.modulusBytes()).hasSize(256);
    assertThat(rsa.weakKey()).isFalse();
    RSAPublicKey jca = rsa.toPublicKey();
    assertThat(jca.getModulus()).isEqualTo(rsa.modulus());
    assertThat(BcryptKeyBlob.of(jca).encoded()).as("KeyIds writes the same blob").isEqualTo(rsa.encoded());
  }

  @Test
  void malformedBcryptRsaBlobsAreUnknown() {
    byte[] good = Blobs.material(USER_KEY_1);

    unknown(patchLe32(good, 4, 2047 + 16), "BitLength");
    unknown(patchLe32(good, 16, 1), "cbPrime1");
    unknown(patchLe32(good, 8, 0), "empty exponent");
    unknown(patchLe32(good, 12, 100_000), "cbModulus");
    unknown(Arrays.copyOf(good, good.length + 1), "unexpected bytes");
    unknown(Arrays.copyOf(good, good.length - 1), "modulus");
    unknown(Arrays.copyOf(good, 10), "cbPublicExp");
    byte[] zeroModulus = good.clone();
    Arrays.fill(zeroModulus, 27, zeroModulus.length, (byte) 0);
    unknown(zeroModulus, "zero modulus");
  }

  @Test
  void pkcs1RsaPublicKey() throws Exception {
    RsaKeyMaterial rsa = (RsaKeyMaterial) KeyMaterials.parse(Blobs.material(COMPUTER_KEY));

    assertThat(rsa.format()).isEqualTo(KeyMaterialFormat.PKCS1_RSA_PUBLIC_KEY);
    assertThat(rsa.keyBits()).isEqualTo(2048);
    assertThat(Der.rsaPublicKey(rsa.modulus(), rsa.exponent())).isEqualTo(rsa.encoded());
  }

  @Test
  void subjectPublicKeyInfoAndSloppyDerAreUnknown() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(1024);
    RSAPublicKey key = (RSAPublicKey) g.generateKeyPair().getPublic();
    byte[] pkcs1 = Der.rsaPublicKey(key.getModulus(), key.getPublicExponent());

    assertThat(KeyMaterials.parse(pkcs1)).isInstanceOf(RsaKeyMaterial.class);
    unknown(key.getEncoded(), "tag 0x30, expected 0x02"); // X.509 SubjectPublicKeyInfo
    unknown(Arrays.copyOf(pkcs1, pkcs1.length + 1), "trailing");
    unknown(Arrays.copyOf(pkcs1, pkcs1.length - 1), "exceeds");
    unknown(hex("3006020100020103"), "zero");
    unknown(hex("30060201FF020103"), "negative");
    unknown(hex("300702020001020103"), "not minimally encoded");
    unknown(hex("308106020105020103"), "not minimally encoded");
    unknown(hex("30800201050201030000"), "unsupported length");
    unknown(hex("30"), "length missing");
  }

  @Test
  void pcpKeyBlobOfATpm20RsaKey() throws Exception {
    byte[] pcp = Blobs.material(TPM_KEY);
    RsaKeyMaterial rsa = (RsaKeyMaterial) KeyMaterials.parse(pcp);

    assertThat(rsa.format()).isEqualTo(KeyMaterialFormat.PCP_KEY_BLOB);
    assertThat(rsa.length()).isEqualTo(772);
    assertThat(rsa.exponent()).as("exponent 0 means 65537").isEqualTo(BigInteger.valueOf(65537));
    // the modulus is the TPM2B unique buffer at 56 + 60
    assertThat(rsa.modulusBytes()).isEqualTo(Arrays.copyOfRange(pcp, 116, 372));
    assertThat(rsa.weakKey()).isFalse();

    byte[] exponent3 = pcp.clone();
    exponent3[113] = 3;
    assertThat(((RsaKeyMaterial) KeyMaterials.parse(exponent3)).exponent()).isEqualTo(BigInteger.valueOf(3));
  }

  @Test
  void malformedOrNonRsaPcpBlobsAreUnknown() {
    byte[] pcp = Blobs.material(TPM_KEY);

    byte[] ecc = pcp.clone();
    ecc[59] = 0x23; // TPM_ALG_ECC
    unknown(ecc, "not TPM_ALG_RSA");
    unknown(patchLe32(pcp, 8, 1), "not TPM 2.0");
    unknown(patchLe32(pcp, 4, 40), "cbHeader 40");
    unknown(patchLe32(pcp, 32, 0xAF), "add up to");
    unknown(Arrays.copyOf(pcp, pcp.length + 1), "add up to");
    byte[] wrongSize = pcp.clone();
    wrongSize[57] = 0x39;
    unknown(wrongSize, "does not match cbPublic");
    byte[] badScheme = pcp.clone();
    badScheme[107] = 0x42;
    unknown(badScheme, "unknown scheme");
    byte[] badBits = pcp.clone();
    badBits[108] = 0x04; // keyBits 1024 with a 256-byte unique
    unknown(badBits, "unique is 256 bytes for a 1024-bit key");
  }

  @Test
  void bcryptEccP256Blob() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ECPublicKey key = (ECPublicKey) g.generateKeyPair().getPublic();
    byte[] blob = BcryptKeyBlob.of(key).encoded();

    EcKeyMaterial ec = (EcKeyMaterial) KeyMaterials.parse(blob);

    assertThat(ec.format()).isEqualTo(KeyMaterialFormat.BCRYPT_ECCKEY_BLOB);
    assertThat(ec.curve()).isEqualTo("P-256");
    assertThat(new BigInteger(1, ec.x())).isEqualTo(key.getW().getAffineX());
    assertThat(new BigInteger(1, ec.y())).isEqualTo(key.getW().getAffineY());
    assertThat(ec.toPublicKey().getW()).isEqualTo(key.getW());

    byte[] offCurve = blob.clone();
    offCurve[blob.length - 1] ^= 1;
    unknown(offCurve, "not on the P-256 curve");
    unknown(patchLe32(blob, 4, 48), "cbKey 48");
    unknown(Arrays.copyOf(blob, 71), "Y");
    unknown(Arrays.copyOf(blob, 73), "unexpected bytes");
  }

  @Test
  void decodesFidoJson() throws Exception {
    FidoKeyMaterial fido = (FidoKeyMaterial) KeyMaterials.parse(Blobs.material(FIDO_KEY));

    assertThat(fido.format()).isEqualTo(KeyMaterialFormat.FIDO_JSON);
    assertThat(fido.displayName()).isEqualTo("Yubikey 5");
    assertThat(fido.aaguid()).isEqualTo(UUID.fromString("fa2b99dc-9e39-4257-8f92-4a30d23c4118"));
    assertThat(fido.signCount()).isEqualTo(50);
    assertThat(fido.authenticatorDataFlags()).isEqualTo(0xC5);
    assertThat(fido.rpIdHash()).isEqualTo(
        MessageDigest.getInstance("SHA-256").digest("login.microsoft.com".getBytes(StandardCharsets.US_ASCII)));
    assertThat(fido.credentialId()).isEqualTo(hex("5847BA3C54FEDCC4FEA49D957D1FF88D"));
    assertThat(fido.toPublicKey().getW().getAffineX()).isEqualTo(new BigInteger(1, fido.x()));
  }

  private static String fidoJson() {
    return new String(Blobs.material(FIDO_KEY), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String authData(String json) {
    int start = json.indexOf("\"authData\":\"") + 12;
    return json.substring(start, json.indexOf('"', start));
  }

  @Test
  void fidoJsonWithWhitespaceAndOtherMemberOrderStillDecodes() {
    String json = fidoJson();
    String reordered = "{ \"displayName\" : \"x\",\n \"authData\" : \"" + authData(json) + "\" }";

    assertThat(KeyMaterials.parse(utf8(reordered))).isInstanceOf(FidoKeyMaterial.class);
  }

  @Test
  void malformedFidoJsonIsUnknown() {
    String json = fidoJson();
    String auth = authData(json);
    byte[] authBytes = Base64.getDecoder().decode(auth);

    unknown(utf8(json.replace("\"version\":1", "\"version\":2")), "version is not 1");
    unknown(utf8("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"x\"}"), "no authData");
    unknown(utf8(json.replace("\"authData\":\"", "\"authData\":\"!")), "not valid Base64");
    String padded = Base64.getEncoder().encodeToString(Arrays.copyOf(authBytes, authBytes.length - 1));
    assertThat(padded).endsWith("=");
    unknown(utf8(json.replace(auth, padded.replace("=", ""))), "canonical");
    unknown(utf8(json.replace("\"displayName\":\"Yubikey 5\"", "\"displayName\":5")), "displayName");
    unknown(utf8(json.replace("\"x5c\":[", "\"x5c\":[1,")), "x5c");
    unknown(utf8(json + " x"), "after the value");
    unknown(utf8("[" + json + "]"), "unrecognised");
    unknown(utf8(json.replace("{\"version\":1,", "{\"version\":1,\"version\":1,")), "duplicate");

    byte[] trailing = Arrays.copyOf(authBytes, authBytes.length + 1);
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(trailing))), "unexpected bytes");
    byte[] noAt = authBytes.clone();
    noAt[32] &= ~0x40;
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(noAt))), "flag AT clear");
    byte[] noEd = authBytes.clone();
    noEd[32] &= (byte) ~0x80; // extensions then become trailing bytes
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(noEd))), "unexpected bytes");
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(Arrays.copyOf(authBytes, 40)))), "aaguid");
  }

  @Test
  void coseKeysOtherThanEs256P256AreUnknown() throws Exception {
    String json = fidoJson();
    String auth = authData(json);
    byte[] a = Base64.getDecoder().decode(auth);
    int cose = 32 + 1 + 4 + 16 + 2 + 16; // credential id of 16 bytes
    assertThat(a[cose] & 0xFF).as("map of 5").isEqualTo(0xA5);
    // A5 01 02 03 26 20 01 21 58 20 <x> 22 58 20 <y>
    byte[] rsaKty = a.clone();
    rsaKty[cose + 2] = 0x03;
    byte[] otherAlg = a.clone();
    otherAlg[cose + 4] = 0x24; // alg -5 instead of ES256 (-7)
    byte[] p384 = a.clone();
    p384[cose + 6] = 0x02;
    byte[] offCurve = a.clone();
    offCurve[cose + 10] ^= 1;

    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(rsaKty))), "kty");
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(otherAlg))), "alg is not ES256");
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(p384))), "crv");
    unknown(utf8(json.replace(auth, Base64.getEncoder().encodeToString(offCurve))), "not on the P-256 curve");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "00", "59534131", "52534132", "FFFFFFFFFFFF"})
  void unrecognisedEncodingsAreUnknown(String hex) {
    KeyMaterial km = KeyMaterials.parse(hex(hex));

    assertThat(km.format()).isEqualTo(KeyMaterialFormat.UNKNOWN);
  }
}
