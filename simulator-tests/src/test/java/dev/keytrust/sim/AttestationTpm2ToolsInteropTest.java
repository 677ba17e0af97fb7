package dev.keytrust.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.AttestationRefusedException;
import dev.keytrust.attest.KeyAttestationStatement;
import dev.keytrust.attest.KeyAttestor;
import dev.keytrust.attest.TpmtPublic;
import dev.keytrust.attest.TpmtSignature;
import dev.keytrust.lab.Openssl;
import dev.keytrust.lab.Tpm2Tools;
import dev.keytrust.secret.SecretBuffer;
import dev.keytrust.tpm.LoadableKey;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * keytrust's attestation against tpm2-tools and openssl on the same swtpm: openssl verifies the
 * AK's signature over the TPMS_ATTEST with the AIK certificate's key, tpm2-tools loads the AK blobs
 * keytrust keeps (same Name), a key tpm2-tools made with noDA is certified but refused by the CA at
 * step 7, and keys made with a signing scheme in their template (the template before scheme NULL)
 * still sign through keytrust.
 */
class AttestationTpm2ToolsInteropTest {
  @RegisterExtension static final AttestationLabExtension LAB = new AttestationLabExtension();

  Tpm2Tools tools(Path work) {
    return new Tpm2Tools(LAB.swtpm(), work);
  }

  @Test
  void opensslVerifiesTheAksSignatureOverCertifyInfoAndTpm2ToolsLoadsTheAkWithTheSameName() throws Exception {
    Path work = Files.createDirectories(LAB.dir().resolve("interop-1"));
    TpmSession session = LAB.session();
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, LAB.ca().authority());
    KeyAttestationStatement statement;
    try (SecretBuffer auth = SecretBuffer.copyOf(new byte[] {5, 5, 5})) {
      TpmSession.CreatedKey key = session.createSigningKey(TpmKeyType.ECC_P256, auth);
      statement = attestor.certify(key.key(), auth, ak, new byte[] {1, 2, 3, 4});
    }
    LAB.closeSession();
    Path info = Files.write(work.resolve("certify.tpms_attest"), statement.certifyInfo());
    Path sig = Files.write(work.resolve("certify.sig"), TpmtSignature.parse(statement.signature()).jcaSignature());
    Path pem = Files.writeString(work.resolve("aik.pem"), "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(ak.aikCertificate().getPublicKey().getEncoded())
        + "\n-----END PUBLIC KEY-----\n", StandardCharsets.US_ASCII);
    assertThat(Openssl.verify(pem, info, sig)).isTrue();
    byte[] tampered = statement.certifyInfo();
    tampered[10] ^= 1;
    assertThat(Openssl.verify(pem, Files.write(work.resolve("tampered"), tampered), sig)).isFalse();

    Path pub = Files.write(work.resolve("ak.pub"), sized(ak.key().publicArea()));
    Path priv = Files.write(work.resolve("ak.priv"), ak.key().privateArea());
    Tpm2Tools tools = tools(work);
    String name = tools.load("0x" + Integer.toHexString(ak.key().parentHandle()), pub, priv, work.resolve("ak.ctx"));
    tools.flushTransient();
    assertThat(name).isEqualToIgnoringCase(HexFormat.of().formatHex(TpmtPublic.parse(ak.key().publicArea()).name()));
  }

  @Test
  void aNoDaKeyMadeByTpm2ToolsIsCertifiedButRefusedAtStep7() throws Exception {
    Path work = Files.createDirectories(LAB.dir().resolve("interop-2"));
    TpmSession session = LAB.session();
    TpmSession.StorageRootKey srk = session.storageRootKey(TpmKeyType.RSA_2048);
    KeyAttestor attestor = new KeyAttestor(session, Clock.systemUTC());
    AttestationKey ak = attestor.enroll(TpmKeyType.RSA_2048, TpmKeyType.RSA_2048, LAB.ca().authority());
    LAB.closeSession();
    tools(work).run("tpm2_create", "-C", "0x81000001", "-G", "rsa2048:null", "-a",
        "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|noda", "-p", "hex:0304", "-u", "noda.pub", "-r",
        "noda.priv");
    byte[] pub = Files.readAllBytes(work.resolve("noda.pub"));
    LoadableKey noDa = new LoadableKey(srk.handle(), srk.name(), Arrays.copyOfRange(pub, 2, pub.length),
        Files.readAllBytes(work.resolve("noda.priv")));
    session = LAB.session();
    byte[] nonce = LAB.ca().issueNonce();
    KeyAttestationStatement statement;
    try (SecretBuffer auth = SecretBuffer.copyOf(new byte[] {3, 4})) {
      statement = attestor(session).certify(noDa, auth, ak, nonce);
    }
    java.security.PublicKey key = TpmtPublic.parse(noDa.publicArea()).publicKey();
    assertThatThrownBy(() -> LAB.ca().verifyKey(statement, nonce, key))
        .isInstanceOfSatisfying(AttestationRefusedException.class, e -> {
          assertThat(e.step()).isEqualTo(7);
          assertThat(e.getMessage()).contains("noDA");
        });
  }

  @Test
  void keysWithASchemeInTheirTemplateStillSignThroughKeytrust() throws Exception {
    Path work = Files.createDirectories(LAB.dir().resolve("interop-3"));
    TpmSession session = LAB.session();
    TpmSession.StorageRootKey rsaSrk = session.storageRootKey(TpmKeyType.RSA_2048);
    TpmSession.StorageRootKey eccSrk = session.storageRootKey(TpmKeyType.ECC_P256);
    LAB.closeSession();
    Tpm2Tools tools = tools(work);
    String attrs = "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign";
    tools.run("tpm2_create", "-C", "0x81000001", "-G", "rsa2048:rsassa-sha256", "-a", attrs, "-p", "hex:0102",
        "-u", "rsa.pub", "-r", "rsa.priv");
    tools.run("tpm2_create", "-C", "0x81000002", "-G", "ecc256:ecdsa-sha256", "-a", attrs, "-p", "hex:0102",
        "-u", "ecc.pub", "-r", "ecc.priv");
    session = LAB.session();
    byte[] message = "signed by a key of the old template".getBytes(StandardCharsets.UTF_8);
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(message);
    for (String k : new String[] {"rsa", "ecc"}) {
      TpmSession.StorageRootKey srk = k.equals("rsa") ? rsaSrk : eccSrk;
      byte[] pub = Files.readAllBytes(work.resolve(k + ".pub"));
      LoadableKey key = new LoadableKey(srk.handle(), srk.name(), Arrays.copyOfRange(pub, 2, pub.length),
          Files.readAllBytes(work.resolve(k + ".priv")));
      TpmtPublic area = TpmtPublic.parse(key.publicArea());
      assertThat(area.schemeAlg()).isNotEqualTo(0x0010); // a scheme in the template
      byte[] signature;
      try (SecretBuffer auth = SecretBuffer.copyOf(new byte[] {1, 2})) {
        signature = session.signDigest(key, auth, digest);
      }
      Signature v = Signature.getInstance(k.equals("rsa") ? "SHA256withRSA" : "SHA256withECDSA");
      v.initVerify(area.publicKey());
      v.update(message);
      assertThat(v.verify(signature)).as(k).isTrue();
    }
  }

  private static KeyAttestor attestor(TpmSession session) {
    return new KeyAttestor(session, Clock.systemUTC());
  }

  private static byte[] sized(byte[] b) {
    byte[] out = new byte[b.length + 2];
    out[0] = (byte) (b.length >>> 8);
    out[1] = (byte) b.length;
    System.arraycopy(b, 0, out, 2, b.length);
    return out;
  }
}
