package dev.keytrust.tpm.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tss.Crypto;
import tss.tpm.TPM_ALG_ID;

/** KDFa and KDFe against published vectors (copied into this file; nothing is fetched at test time). */
class KdfTest {
  static final HexFormat HEX = HexFormat.of();

  /**
   * The KDFa self-test vector of the TCG TPM 2.0 reference implementation (TPM 2.0 Library Part 4,
   * {@code KdfTestData.h}, as shipped in libtpms 0.9): key, label {@code "KDFSELFTESTLABEL"} (the
   * reference stores it with its terminating zero), the two contexts, 160 bits out, one expected
   * value per hash.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "SHA1,   55b5a7184aa07423c47dae766c26a2377d7cf851",
      "SHA256, bb0259e1c8ba607e6a2cd704b69a902e9ade84c4",
      "SHA384, 1dce70c9113eb2dba47bd9cfc72bf46f45b09312",
      "SHA512, 8be2c1b85b78569b9fa759f5857c56d684810fd3",
  })
  void kdfaMatchesTheTcgReferenceSelfTestVector(TpmHash hash, String expected) {
    byte[] key = HEX.parseHex("271FA08BBDC5060EC3DFA928FF9B73123A12DA0C");
    byte[] contextU = HEX.parseHex("CE244F395DCA7391");
    byte[] contextV = HEX.parseHex("DA504031DDF12E83");
    assertThat(HEX.formatHex(Kdf.kdfa(hash, key, "KDFSELFTESTLABEL", contextU, contextV, 160))).isEqualTo(expected);
  }

  /**
   * The KDFa example of github.com/chrisfenner/tpm-test-vectors (README, "27_SHA256_116",
   * generated with go-tpm and checked against a TPM simulator): 116 bits, so the first byte keeps
   * only its low 4 bits.
   */
  @Test
  void kdfaMasksTheUnusedHighBitsOfTheFirstByte() {
    byte[] out = Kdf.kdfa(TpmHash.SHA256, HEX.parseHex("aff14e568afc0ea51eea748c8915df067c7700"), "IDENTITY",
        HEX.parseHex("ce4edfb881540700e300"),
        HEX.parseHex("68ddb4a0e59d74cd34dfe631d91e1ea3fbc95865440adedff7e9d011890fba"), 116);
    assertThat(HEX.formatHex(out)).isEqualTo("019ed5e0956338ddda4413ecee5cf2");
  }

  /**
   * KDFe vectors of github.com/chrisfenner/tpm-test-vectors ({@code vectors/kdfe.json}): name,
   * hash, Z, use (label), PartyUInfo, PartyVInfo, bits, result.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "04_SHA1_253,     SHA1,   '',             STORAGE,  '',       c0227aff, 253, "
          + "0f10d821af67e1ec776b390f3b4572bb433efd2b94fa7842d879d24d825ed2f9",
      "06_SHA1_32,      SHA1,   9b050039c8e5ca60deeb978f2faf573c94af61, IDENTITY, ff1a1852db7b60a5c963f17eb306f3a905d100ae, "
          + "0047ee45771a256d58b091b6d6, 32, 94c3c160",
      "30_SHA256_109,   SHA256, c3e3c34e82ccfa82d8999bf2635bb7cd01f3d65f03ff, CFB, 55576a51c0e45b86557535e9ea50d5e7f4a80bb426e7ff, "
          + "dffdece923181dc335c1e936ff, 109, 1106264c89948737c140d2f5b40e",
      "33_SHA256_215,   SHA256, ffcead5817fa51, OBFUSCATE, 3a25c7420a6ea094aff570c12fd40d2b8eff, "
          + "8505ad0684d7196c4153860ece58c62c20fa07f18fff, 215, 7e20d953e93f3760753b0aeba83c1114c440493bd8101f12665868",
      "37_SHA256_431,   SHA256, e89fc5304cf46c1cf7d1f5de5d3d1ec7eddc80b0386700, SECRET, "
          + "e602bc959fd97af0405649e0c80e02e9dd64e9d79e698292b043c79dfa9f9261, '', 431, "
          + "3a8e893b8b76cdddbf87845b2567fa7152577829f6a55b73cb82d4a1f0342a051d6e50e20ec2f96bc4de38d7d0d79a9caf99e1d574b9",
  })
  void kdfeMatchesPublishedVectors(String name, TpmHash hash, String z, String use, String partyU, String partyV,
      int bits, String expected) {
    byte[] out = Kdf.kdfe(hash, HEX.parseHex(z), use, HEX.parseHex(partyU), HEX.parseHex(partyV), bits);
    assertThat(HEX.formatHex(out)).as(name).isEqualTo(expected);
  }

  /** A second, independent implementation agrees on whole-byte lengths: TSS.Java's Crypto.KDFa. */
  @Test
  void kdfaAgreesWithTssJava() {
    SecureRandom r = new SecureRandom();
    for (int bits : new int[] {128, 256, 264, 512, 1024}) {
      byte[] key = new byte[32 + bits % 7];
      byte[] u = new byte[32];
      byte[] v = new byte[17];
      r.nextBytes(key);
      r.nextBytes(u);
      r.nextBytes(v);
      assertThat(Kdf.kdfa(TpmHash.SHA256, key, "ATH", u, v, bits))
          .as(bits + " bits")
          .isEqualTo(Crypto.KDFa(TPM_ALG_ID.SHA256, key, "ATH", u, v, bits));
    }
  }
}
