package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmTemplates;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.junit.jupiter.api.Test;

/**
 * The session salt ("secret sharing" with label SECRET) against the labeled-encapsulation vectors
 * of github.com/chrisfenner/tpm-test-vectors ({@code vectors/ecc_labeled_encaps.json},
 * {@code vectors/rsa_labeled_encaps.json}; copied here, nothing is fetched at test time), with the
 * random parts (ephemeral key, OAEP seed) fixed to the vectors' values.
 */
class SessionSaltTest {
  static final HexFormat HEX = HexFormat.of();

  /** "06_P256_SHA256_128_restricted", label SECRET, validated by its authors with TPM2_StartAuthSession. */
  @Test
  void eccSaltMatchesTheVectorValidatedWithStartAuthSession() throws Exception {
    TpmtPublic key = TpmtPublic.parse(HEX.parseHex(
        "0023000b00030460000000060080004300100003001000207d1f639091f4f93753e5ca964f537491e2ee50058bdf8d93c2f6f165d0"
            + "2a6f2c00205b4e618a7dad9e0cbc7d974ff78ac75ac3ca7be3c54a2b064e0f42f3b43de892"), "vector");
    BigInteger ephemeral = new BigInteger("897989c19f950c5f32f3a2156832bb49b39b0562f372e6e180be309c2bbc07c0", 16);
    try (SessionSalt s = SessionSalt.ecc(key, ephemeral)) {
      assertThat(HEX.formatHex(s.salt())).isEqualTo("428bee6074a8d9c43979617363ca78cedc7b56673d43750678c965d0fddeb4be");
      assertThat(HEX.formatHex(s.encryptedSalt())).isEqualTo(
          "00208588b3516e0cc43073b2577362ff1b712373213043bcb0c7364c74bfc6f626e200203534ac662cd4462172cdd0dbe3f0d0e2"
              + "8edb9e08484a3a34b8e8e00d9cb5b4c1");
    }
  }

  /**
   * The Bouncy Castle salt against the JDK's: for fixed ephemeral scalars and SRK keys made by
   * SunEC, the salt is KDFe over the Z of the JDK's ECDH (ephemeral private key, SRK public key),
   * and the JDK's ECDH on the TPM's side (SRK private key, the encrypted point) gives the same Z.
   * The keys include coordinates with a leading zero byte, which must be sent padded to 32 bytes.
   */
  @Test
  void eccSaltAgreesWithTheJdksEcdhOnBothSides() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    List<KeyPair> srks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      srks.add(g.generateKeyPair());
    }
    KeyPair shortX = g.generateKeyPair();
    while (((ECPublicKey) shortX.getPublic()).getW().getAffineX().bitLength() > 248) {
      shortX = g.generateKeyPair();
    }
    srks.add(shortX);
    List<BigInteger> scalars = new ArrayList<>(List.of(BigInteger.ONE, new BigInteger(
        "897989c19f950c5f32f3a2156832bb49b39b0562f372e6e180be309c2bbc07c0", 16), P256_N.subtract(BigInteger.ONE)));
    X9ECParameters p256 = NISTNamedCurves.getByName("P-256");
    for (BigInteger d = BigInteger.valueOf(2); scalars.size() < 4; d = d.add(BigInteger.ONE)) {
      if (p256.getG().multiply(d).normalize().getAffineXCoord().toBigInteger().bitLength() <= 248) {
        scalars.add(d); // an ephemeral point whose x has a leading zero byte
      }
    }
    for (KeyPair srk : srks) {
      TpmtPublic key = eccPublic((ECPublicKey) srk.getPublic());
      for (BigInteger d : scalars) {
        KeyPair ephemeral = p256KeyPair(d);
        byte[] z = ecdh(ephemeral.getPrivate(), srk.getPublic());
        ECPoint qe = ((ECPublicKey) ephemeral.getPublic()).getW();
        byte[] qeX = fixed32(qe.getAffineX());
        byte[] expected = Kdf.kdfe(TpmHash.SHA256, z, "SECRET", qeX,
            fixed32(((ECPublicKey) srk.getPublic()).getW().getAffineX()), 256);
        try (SessionSalt s = SessionSalt.ecc(key, d)) {
          assertThat(s.salt()).as("salt for d=%s", d).isEqualTo(expected);
          byte[] point = s.encryptedSalt();
          assertThat(point).isEqualTo(new TpmMarshaller().tpm2b(qeX).tpm2b(fixed32(qe.getAffineY())).toByteArray());
          TpmUnmarshaller in = new TpmUnmarshaller(point, "point");
          ECPoint sent = new ECPoint(new BigInteger(1, in.tpm2b(32, "x")), new BigInteger(1, in.tpm2b(32, "y")));
          PublicKey sentKey = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(sent, TpmtPublic.p256()));
          assertThat(ecdh(srk.getPrivate(), sentKey)).as("the TPM's Z").isEqualTo(z);
        }
      }
    }
  }

  @Test
  void aFreshEccSaltIsTheOneTheSrksOwnerRecovers() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair srk = g.generateKeyPair();
    TpmtPublic key = eccPublic((ECPublicKey) srk.getPublic());
    try (SessionSalt a = SessionSalt.create(key, new SecureRandom());
        SessionSalt b = SessionSalt.create(key, new SecureRandom())) {
      assertThat(a.salt()).hasSize(32).isNotEqualTo(b.salt());
      TpmUnmarshaller in = new TpmUnmarshaller(a.encryptedSalt(), "point");
      byte[] x = in.tpm2b(32, "x");
      ECPoint sent = new ECPoint(new BigInteger(1, x), new BigInteger(1, in.tpm2b(32, "y")));
      byte[] z = ecdh(srk.getPrivate(),
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(sent, TpmtPublic.p256())));
      assertThat(a.salt()).isEqualTo(Kdf.kdfe(TpmHash.SHA256, z, "SECRET", x,
          fixed32(((ECPublicKey) srk.getPublic()).getW().getAffineX()), 256));
    }
  }

  /** Points off the curve, coordinates not below p, (0, 0), empty: refused before any random is drawn. */
  @Test
  void anSrkPointOffTheCurveIsRefused() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    ECPoint w = ((ECPublicKey) g.generateKeyPair().getPublic()).getW();
    BigInteger p = NISTNamedCurves.getByName("P-256").getCurve().getField().getCharacteristic();
    byte[][][] bad = {
      {fixed32(w.getAffineX()), fixed32(w.getAffineY().add(BigInteger.ONE).mod(p))},
      {fixed32(w.getAffineX()), fixed32(p)}, // a coordinate not below p
      {fixed32(p.add(BigInteger.ONE)), fixed32(w.getAffineY())},
      {new byte[32], new byte[32]},
      {new byte[0], new byte[0]},
    };
    TpmtPublic good = eccPublic(fixed32(w.getAffineX()), fixed32(w.getAffineY()));
    SessionSalt.ecc(good, BigInteger.TWO).close(); // the last key's point is kept: a bad one is not taken for it
    for (byte[][] xy : bad) {
      TpmtPublic key = eccPublic(xy[0], xy[1]);
      SecureRandom noRandom = new SecureRandom() {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
          throw new IllegalStateException("a random number was drawn for an invalid key");
        }
      };
      assertThatThrownBy(() -> SessionSalt.create(key, noRandom))
          .isInstanceOfSatisfying(KeytrustException.class, e -> {
            assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_TRANSPORT);
            assertThat(e.getMessage()).contains("not on the P-256 curve");
          });
      assertThatThrownBy(() -> SessionSalt.ecc(key, BigInteger.TWO)).isInstanceOf(KeytrustException.class);
    }
    SessionSalt.ecc(good, BigInteger.TWO).close();
    assertThatThrownBy(() -> SessionSalt.ecc(good, BigInteger.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionSalt.ecc(good, P256_N)).isInstanceOf(IllegalArgumentException.class);
  }

  /** "07_2048_SHA256_128_restricted", label SECRET: OAEP with SHA-256 and the vector's seed. */
  @Test
  void rsaSaltEncryptionMatchesTheVector() throws Exception {
    TpmtPublic key = TpmtPublic.parse(HEX.parseHex(
        "0001000b000304600000000600800043001008000000000001008054bc2c75a670a0d6372d5d37944609a79e94865c48c16c46e935"
            + "4912f4aab3213c2cb204f104329de5a6e21fd459ad7e5e6e9afbbd8ee14d22ebd23821815be7b3e225ffd06c0097b91b0e0d71c2"
            + "7d5eee235ea37ae1d6ff84ffca71ea9926103ab5da58befeaad5df0de20662cc05096706aeafaaa5b231e6bd0fddbb26c1fa1c9f"
            + "05861e11525360373789f9e07c96d65f8a9f3483bb7d95e5286ed66b4ae5588e5ed38ab15d40059b5c7d8d9ef0a67d7ab9e0b923"
            + "f618e5a2cddad5b644080391196d0214d6d4bef749cb8228b947ea0a1feb305414e0023ec6022e1b8098f96a53c1e878ddb85a3d"
            + "c39dbbfc600bffaa34ace17465825ddccd7796dbaf"), "vector");
    byte[] secret = HEX.parseHex("ff5a3ac45f3ee8fa592f039c94a9bfdfb1e67709a6bff4bd8a7c54ed1be47df5");
    byte[] seed = HEX.parseHex("00d89dc6335565397a612d87ea372b753701060709a79ad9171e9b468b944f40");
    try (SessionSalt s = SessionSalt.rsa(key, secret, new FixedRandom(seed))) {
      assertThat(HEX.formatHex(s.encryptedSalt())).isEqualTo(
          "7d28343b75b31731f4ab8a13947bbe4e0cf769001a9dd4b6bcdb7126ac6fbfd5cdd3aaae65712aa6cce001176bc103e7ac48e9cff5"
              + "5ac6544519da0d8ec51c41744498ba8f45478685550895cb6ff792c98a4ceb32b24e8f55a1282d7ccd99545eb7086333df9b"
              + "193b41d342af46c95964360f255144f22df583608167c6cbb42da16aea1488c5a6e2fc99b7bf081cc02154ff94e835a871708b"
              + "426d6da7b1bb67f37d70d1e77345bfd9cc0d4782df06eb987556ab6a9ed2dae457ad0a6f32f38c51d2321f10bac13b2f5d5ab2"
              + "0a5a05000323a86828ab6699a0dedfe623ac740a4820aab647acd18640d1731cc6afe9091f7cd472774fae1030e8e40fbcea7b");
      s.close();
      assertThat(secret).as("close() zeroes the salt it took over").containsOnly(0);
    }
  }

  @Test
  void aFreshRsaSaltDecryptsWithTheMatchingPrivateKeyAndLabelOnly() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    KeyPair kp = g.generateKeyPair();
    TpmtPublic key = rsaPublic((RSAPublicKey) kp.getPublic());
    try (SessionSalt s = SessionSalt.create(key, new SecureRandom())) {
      assertThat(s.salt()).hasSize(32);
      Cipher dec = Cipher.getInstance("RSA/ECB/OAEPPadding");
      dec.init(Cipher.DECRYPT_MODE, (RSAPrivateCrtKey) kp.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
          MGF1ParameterSpec.SHA256, new PSource.PSpecified("SECRET\0".getBytes(StandardCharsets.US_ASCII))));
      assertThat(dec.doFinal(s.encryptedSalt())).isEqualTo(s.salt());
      Cipher noZero = Cipher.getInstance("RSA/ECB/OAEPPadding");
      noZero.init(Cipher.DECRYPT_MODE, kp.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
          MGF1ParameterSpec.SHA256, new PSource.PSpecified("SECRET".getBytes(StandardCharsets.US_ASCII))));
      assertThatThrownBy(() -> noZero.doFinal(s.encryptedSalt())).isInstanceOf(javax.crypto.BadPaddingException.class);
    }
  }

  @Test
  void keyedHashObjectsCannotTakeASalt() throws Exception {
    TpmtPublic sealed = TpmtPublic.parse(TpmTemplates.sealedData(), "template");
    assertThatThrownBy(() -> SessionSalt.create(sealed, new SecureRandom()))
        .isInstanceOfSatisfying(KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM));
  }

  /** A TPMT_PUBLIC of an RSA-2048 restricted decryption key with AES-128-CFB around {@code k}. */
  static TpmtPublic rsaPublic(RSAPublicKey k) throws KeytrustException {
    byte[] n = k.getModulus().toByteArray();
    byte[] modulus = Arrays.copyOfRange(n, n.length - 256, n.length);
    byte[] pub = new TpmMarshaller()
        .u16(0x0001).u16(0x000B).u32(0x00030472).u16(0)
        .u16(0x0006).u16(128).u16(0x0043).u16(0x0010).u16(2048).u32(0)
        .tpm2b(modulus).toByteArray();
    return TpmtPublic.parse(pub, "test key");
  }

  static final BigInteger P256_N = NISTNamedCurves.getByName("P-256").getN();

  static byte[] ecdh(PrivateKey own, PublicKey peer) throws Exception {
    KeyAgreement ka = KeyAgreement.getInstance("ECDH");
    ka.init(own);
    ka.doPhase(peer, true);
    return ka.generateSecret();
  }

  static byte[] fixed32(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, 32 - n, n);
    return out;
  }

  /** A TPMT_PUBLIC of a P-256 restricted decryption key with AES-128-CFB and the given unique. */
  static TpmtPublic eccPublic(byte[] x, byte[] y) throws KeytrustException {
    byte[] pub = new TpmMarshaller()
        .u16(0x0023).u16(0x000B).u32(0x00030472).u16(0)
        .u16(0x0006).u16(128).u16(0x0043).u16(0x0010).u16(0x0003).u16(0x0010)
        .tpm2b(x).tpm2b(y).toByteArray();
    return TpmtPublic.parse(pub, "test key");
  }

  static TpmtPublic eccPublic(ECPublicKey k) throws KeytrustException {
    return eccPublic(fixed32(k.getW().getAffineX()), fixed32(k.getW().getAffineY()));
  }

  static KeyPair p256KeyPair(BigInteger d) throws Exception {
    org.bouncycastle.math.ec.ECPoint q = NISTNamedCurves.getByName("P-256").getG().multiply(d).normalize();
    ECParameterSpec spec = TpmtPublic.p256();
    KeyFactory kf = KeyFactory.getInstance("EC");
    return new KeyPair(
        kf.generatePublic(new ECPublicKeySpec(new ECPoint(q.getAffineXCoord().toBigInteger(),
            q.getAffineYCoord().toBigInteger()), spec)),
        kf.generatePrivate(new ECPrivateKeySpec(d, spec)));
  }

  /** Gives exactly the bytes it was made with, once: the OAEP seed of a vector. */
  static final class FixedRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;
    private final byte[] bytes;
    private boolean used;

    FixedRandom(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (used || out.length != bytes.length) {
        throw new IllegalStateException("the OAEP seed was asked for " + out.length + " bytes" + (used ? " again" : ""));
      }
      used = true;
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }
}
