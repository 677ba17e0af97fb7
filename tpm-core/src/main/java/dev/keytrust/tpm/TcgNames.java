package dev.keytrust.tpm;

import java.util.Map;

/** TCG names of algorithm ids and ECC curves (TPM 2.0 Part 2, TPM_ALG_ID and TPM_ECC_CURVE). */
final class TcgNames {
  private static final Map<Integer, String> ALGS =
      Map.ofEntries(
          Map.entry(0x0001, "RSA"), Map.entry(0x0003, "TDES"), Map.entry(0x0004, "SHA1"),
          Map.entry(0x0005, "HMAC"), Map.entry(0x0006, "AES"), Map.entry(0x0007, "MGF1"),
          Map.entry(0x0008, "KEYEDHASH"), Map.entry(0x000A, "XOR"), Map.entry(0x000B, "SHA256"),
          Map.entry(0x000C, "SHA384"), Map.entry(0x000D, "SHA512"), Map.entry(0x0010, "NULL"),
          Map.entry(0x0012, "SM3_256"), Map.entry(0x0013, "SM4"), Map.entry(0x0014, "RSASSA"),
          Map.entry(0x0015, "RSAES"), Map.entry(0x0016, "RSAPSS"), Map.entry(0x0017, "OAEP"),
          Map.entry(0x0018, "ECDSA"), Map.entry(0x0019, "ECDH"), Map.entry(0x001A, "ECDAA"),
          Map.entry(0x001B, "SM2"), Map.entry(0x001C, "ECSCHNORR"), Map.entry(0x001D, "ECMQV"),
          Map.entry(0x0020, "KDF1_SP800_56A"), Map.entry(0x0021, "KDF2"),
          Map.entry(0x0022, "KDF1_SP800_108"), Map.entry(0x0023, "ECC"), Map.entry(0x0025, "SYMCIPHER"),
          Map.entry(0x0026, "CAMELLIA"), Map.entry(0x0027, "SHA3_256"), Map.entry(0x0028, "SHA3_384"),
          Map.entry(0x0029, "SHA3_512"), Map.entry(0x003F, "CMAC"), Map.entry(0x0040, "CTR"),
          Map.entry(0x0041, "OFB"), Map.entry(0x0042, "CBC"), Map.entry(0x0043, "CFB"),
          Map.entry(0x0044, "ECB"));
  private static final Map<Integer, String> CURVES =
      Map.of(
          0x0001, "NIST_P192", 0x0002, "NIST_P224", 0x0003, "NIST_P256", 0x0004, "NIST_P384",
          0x0005, "NIST_P521", 0x0010, "BN_P256", 0x0011, "BN_P638", 0x0020, "SM2_P256");

  private TcgNames() {}

  static String algorithm(int id) {
    String n = ALGS.get(id);
    return n != null ? n : String.format("0x%04X", id);
  }

  static String curve(int id) {
    String n = CURVES.get(id);
    return n != null ? n : String.format("0x%04X", id);
  }
}
