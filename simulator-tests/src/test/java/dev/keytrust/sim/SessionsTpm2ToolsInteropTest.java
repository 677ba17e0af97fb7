package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.lab.Openssl;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.InsecureSecretAccess;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.TpmObjects;
import dev.keytrust.tpm.session.ObjectBlobs;
import dev.keytrust.tpm.session.ParentKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Objects made through the session layer are ordinary TPM objects, and the other way round:
 * tpm2-tools loads and uses them with {@code -p hex:<authValue>}, and the session layer signs with
 * a key tpm2_create made.
 */
class SessionsTpm2ToolsInteropTest {
  @RegisterExtension static final SwtpmExtension SWTPM = SwtpmExtension.tcp();
  @TempDir Path work;
  final SecureRandom random = new SecureRandom();

  byte[] authValue() {
    byte[] a = new byte[32];
    random.nextBytes(a);
    a[31] |= 1; // tpm2-tools is given the value as typed; keep it free of trailing zeros here
    return a;
  }

  static String hex(int handle) {
    return String.format("0x%08x", handle);
  }

  /** TPM2B_PUBLIC for tpm2_load -u: a 2-byte size, then the TPMT_PUBLIC. */
  static Path tpm2bPublic(Path file, byte[] publicArea) throws Exception {
    return Files.write(file, ByteBuffer.allocate(2 + publicArea.length).putShort((short) publicArea.length)
        .put(publicArea).array());
  }

  static Path pem(Path file, PublicKey key) throws Exception {
    return Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n");
  }

  static boolean verifies(KeyAlgorithm alg, PublicKey key, byte[] message, byte[] sig) throws Exception {
    Signature v = Signature.getInstance(alg.jcaSignatureAlgorithm());
    v.initVerify(key);
    v.update(message);
    return v.verify(sig);
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void objectsCreatedThroughSessionsLoadSignAndUnsealInTpm2Tools(KeyAlgorithm alg) throws Exception {
    byte[] auth = authValue();
    byte[] secret = "sealed through an encrypted session".getBytes(StandardCharsets.US_ASCII);
    ParentKey srk;
    ObjectBlobs key;
    ObjectBlobs sealed;
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer a = SecretBuffer.copyOf(auth);
        SecretBuffer data = SecretBuffer.copyOf(secret)) {
      srk = tpm.srk(alg);
      key = tpm.ops.createSigningKey(srk, alg.tpmKeyType(), a);
      sealed = tpm.ops.createSealedObject(srk, a, data);
    } // swtpm serves one client: close before tpm2-tools connects

    Tpm2Tools tools = SWTPM.tools();
    try {
      Path keyCtx = work.resolve("key.ctx");
      String name = tools.load(hex(srk.handle()), tpm2bPublic(work.resolve("key.pub"), key.publicArea()),
          Files.write(work.resolve("key.priv"), key.privateArea()), keyCtx);
      assertThat(name).isEqualToIgnoringCase(HexFormat.of().formatHex(TpmObjects.name(key.publicArea())));
      Path message = Files.write(work.resolve("msg"), "signed by tpm2-tools".getBytes(StandardCharsets.UTF_8));
      Path sig = work.resolve("sig");
      tools.sign(keyCtx, auth, message, sig,
          alg == KeyAlgorithm.RSA_2048 ? Tpm2Tools.SignScheme.RSASSA : Tpm2Tools.SignScheme.ECDSA);
      PublicKey pub = TpmObjects.publicKey(key.publicArea());
      assertThat(verifies(alg, pub, Files.readAllBytes(message), Files.readAllBytes(sig))).isTrue();
      assertThat(Openssl.verify(pem(work.resolve("key.pem"), pub), message, sig)).isTrue();
      tools.flushTransient();

      Path sealedCtx = work.resolve("sealed.ctx");
      tools.load(hex(srk.handle()), tpm2bPublic(work.resolve("sealed.pub"), sealed.publicArea()),
          Files.write(work.resolve("sealed.priv"), sealed.privateArea()), sealedCtx);
      Path out = work.resolve("unsealed");
      tools.runWithAuth(auth, "tpm2_unseal", "-c", sealedCtx.toString(), "-p", "file:-", "-o", out.toString());
      assertThat(Files.readAllBytes(out)).isEqualTo(secret);
    } finally {
      Arrays.fill(auth, (byte) 0);
      tools.flushTransient();
    }
  }

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aKeyMadeByTpm2CreateSignsThroughSessions(KeyAlgorithm alg) throws Exception {
    byte[] auth = authValue();
    ParentKey srk;
    try (SessionConnection tpm = SessionConnection.open(SWTPM)) {
      srk = tpm.srk(alg);
    }
    Path pub = work.resolve("made.pub");
    Path priv = work.resolve("made.priv");
    SWTPM.tools().runWithAuth(auth, "tpm2_create", "-C", hex(srk.handle()), "-p", "file:-",
        "-G", alg == KeyAlgorithm.RSA_2048 ? "rsa2048:rsassa-sha256" : "ecc256:ecdsa-sha256",
        "-a", "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign", "-u", pub.toString(), "-r", priv.toString());
    byte[] tpm2b = Files.readAllBytes(pub);
    ObjectBlobs key = new ObjectBlobs(Arrays.copyOfRange(tpm2b, 2, tpm2b.length), Files.readAllBytes(priv));
    byte[] message = "signed through a salted session".getBytes(StandardCharsets.UTF_8);
    try (SessionConnection tpm = SessionConnection.open(SWTPM);
        SecretBuffer a = SecretBuffer.copyOf(auth)) {
      byte[] sig = tpm.ops.sign(srk, key, a, MessageDigest.getInstance("SHA-256").digest(message));
      assertThat(verifies(alg, TpmObjects.publicKey(key.publicArea()), message, sig)).isTrue();
      try (SecretBuffer secret = SecretBuffer.copyOf(new byte[] {5, 6})) {
        ObjectBlobs sealed = tpm.ops.createSealedObject(srk, a, secret);
        try (SecretBuffer back = tpm.ops.unseal(srk, sealed, a)) {
          assertThat(back.copy(InsecureSecretAccess.get())).containsExactly(5, 6);
        }
      }
    } finally {
      Arrays.fill(auth, (byte) 0);
    }
  }
}
