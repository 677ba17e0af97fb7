package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tss.Crypto;
import tss.tpm.TPM_ALG_ID;

/** The session computations, cross-checked with TSS.Java's Crypto where it has the same primitive. */
class SessionCryptoTest {
  static final HexFormat HEX = HexFormat.of();
  final SecureRandom random = new SecureRandom();

  byte[] random(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void theHmacKeyDropsTrailingZerosOfTheAuthValueOnly() {
    byte[] key = {1, 2};
    assertThat(SessionCrypto.hmacKey(key, new byte[] {0, 5, 0, 0})).containsExactly(1, 2, 0, 5);
    assertThat(SessionCrypto.hmacKey(key, new byte[] {0, 0})).containsExactly(1, 2);
    assertThat(SessionCrypto.hmacKey(key, new byte[0])).containsExactly(1, 2);
  }

  @Test
  void parameterEncryptionIsAes128CfbWithKeyAndIvFromKdfa() {
    byte[] sessionValue = random(64);
    byte[] newer = random(32);
    byte[] older = random(32);
    byte[] plain = random(77); // not a whole number of blocks: CFB needs no padding
    byte[] data = plain.clone();
    SessionCrypto.cfb(true, TpmHash.SHA256.mac(sessionValue), newer, older, data);

    byte[] keyIv = Crypto.KDFa(TPM_ALG_ID.SHA256, sessionValue, "CFB", newer, older, 256);
    byte[] expected = Crypto.cfbEncrypt(true, TPM_ALG_ID.AES, Arrays.copyOf(keyIv, 16),
        Arrays.copyOfRange(keyIv, 16, 32), plain);
    assertThat(data).isEqualTo(expected).isNotEqualTo(plain);

    SessionCrypto.cfb(false, TpmHash.SHA256.mac(sessionValue), newer, older, data);
    assertThat(data).isEqualTo(plain);
    // the direction's nonce order matters: the response key is not the command key
    byte[] again = plain.clone();
    SessionCrypto.cfb(true, TpmHash.SHA256.mac(sessionValue), older, newer, again);
    assertThat(again).isNotEqualTo(expected);
  }

  @Test
  void cpHashAndRpHashCoverCodeNamesAndParameters() {
    byte[] name = HEX.parseHex("000b" + "11".repeat(32));
    byte[] params = {1, 2, 3};
    byte[] cp = SessionCrypto.cpHash(TpmHash.SHA256, 0x15D, new byte[][] {name}, params);
    byte[] manual = TpmHash.SHA256.digest().digest(HEX.parseHex("0000015d" + HEX.formatHex(name) + "010203"));
    assertThat(cp).isEqualTo(manual);
    byte[] rp = SessionCrypto.rpHash(TpmHash.SHA256, 0x15D, params);
    assertThat(rp).isEqualTo(TpmHash.SHA256.digest().digest(HEX.parseHex("00000000" + "0000015d" + "010203")));
  }

  @Test
  void theSessionHmacIsHmacSha256OfPHashNoncesAndAttributes() {
    byte[] key = random(48);
    byte[] p = random(32);
    byte[] newer = random(32);
    byte[] older = random(32);
    byte[] msg = new TpmMarshaller().bytes(p).bytes(newer).bytes(older).u8(0x41).toByteArray();
    assertThat(SessionCrypto.sessionHmac(TpmHash.SHA256.mac(key), p, newer, older, 0x41))
        .isEqualTo(Crypto.hmac(TPM_ALG_ID.SHA256, key, msg));
  }
}
