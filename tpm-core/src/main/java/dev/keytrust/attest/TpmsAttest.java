package dev.keytrust.attest;

import static dev.keytrust.attest.TpmAlgorithms.digestSize;

/**
 * TPMS_ATTEST (TPM 2.0 Part 2, §10.12.12) of a TPM2_Certify: the header every attestation has
 * and TPMS_CERTIFY_INFO as its {@code attested} member. Parsed strictly: sizes checked, Names
 * well-formed (a 4-byte handle or nameAlg followed by a digest of that algorithm's size), {@code
 * clockInfo.safe} 0 or 1, no trailing bytes. The magic is read as it is: that it is
 * TPM_GENERATED_VALUE is a verification step ({@link CertifyVerifier}), not a parse rule. Other
 * attestation types (quotes, session audits...) are refused as unsupported. Immutable.
 */
public final class TpmsAttest {
  static final String STRUCTURE = "TPMS_ATTEST";
  /** TPM_GENERATED_VALUE: "\xFFTCG", the TPM made this structure (Part 2, §6.2). */
  public static final int TPM_GENERATED_VALUE = 0xFF544347;
  /** TPM_ST_ATTEST_CERTIFY (Part 2, §6.9). */
  public static final int TPM_ST_ATTEST_CERTIFY = 0x8017;
  /** TPM2B_DATA's largest buffer (sizeof(TPMT_HA)). */
  static final int MAX_DATA = 66;
  /** TPM2B_NAME's largest buffer (sizeof(TPMU_NAME)). */
  static final int MAX_NAME = 66;

  private final byte[] raw;
  private final int magic;
  private final int type;
  private final byte[] qualifiedSigner;
  private final byte[] extraData;
  private final long clock;
  private final int resetCount;
  private final int restartCount;
  private final boolean safe;
  private final long firmwareVersion;
  private final byte[] certifiedName;
  private final byte[] certifiedQualifiedName;

  private TpmsAttest(byte[] raw, int magic, int type, byte[] qualifiedSigner, byte[] extraData, long clock,
      int resetCount, int restartCount, boolean safe, long firmwareVersion, byte[] certifiedName,
      byte[] certifiedQualifiedName) {
    this.raw = raw;
    this.magic = magic;
    this.type = type;
    this.qualifiedSigner = qualifiedSigner;
    this.extraData = extraData;
    this.clock = clock;
    this.resetCount = resetCount;
    this.restartCount = restartCount;
    this.safe = safe;
    this.firmwareVersion = firmwareVersion;
    this.certifiedName = certifiedName;
    this.certifiedQualifiedName = certifiedQualifiedName;
  }

  /**
   * Parses the TPMS_ATTEST a TPM2_Certify signed (the content of its TPM2B_ATTEST, without the
   * size).
   *
   * @throws AttestFormatException with the offset where it goes wrong
   */
  public static TpmsAttest parse(byte[] data) throws AttestFormatException {
    TpmReader r = new TpmReader(data.clone(), STRUCTURE);
    int magic = r.u32("magic");
    int at = r.position();
    int type = r.u16("type");
    if (type != TPM_ST_ATTEST_CERTIFY) {
      throw r.error(String.format("type 0x%04X is not TPM_ST_ATTEST_CERTIFY (0x8017), the only attestation "
          + "keytrust reads", type), at);
    }
    byte[] signer = name(r, "qualifiedSigner");
    byte[] extra = r.sized("extraData", MAX_DATA);
    long clock = r.u64("clockInfo.clock");
    int resets = r.u32("clockInfo.resetCount");
    int restarts = r.u32("clockInfo.restartCount");
    at = r.position();
    int safe = r.u8("clockInfo.safe");
    if (safe > 1) {
      throw r.error("clockInfo.safe is " + safe + ", not YES (1) or NO (0)", at);
    }
    long firmware = r.u64("firmwareVersion");
    byte[] name = name(r, "attested.certify.name");
    byte[] qualifiedName = name(r, "attested.certify.qualifiedName");
    r.end();
    return new TpmsAttest(data.clone(), magic, type, signer, extra, clock, resets, restarts, safe == 1, firmware,
        name, qualifiedName);
  }

  /** A TPM2B_NAME: empty, a 4-byte handle, or a hash algorithm followed by a digest of its size. */
  private static byte[] name(TpmReader r, String field) throws AttestFormatException {
    int at = r.position();
    byte[] n = r.sized(field, MAX_NAME);
    if (n.length == 0 || n.length == 4) {
      return n;
    }
    int alg = n.length >= 2 ? ((n[0] & 0xFF) << 8) | (n[1] & 0xFF) : -1;
    int size = alg < 0 ? -1 : digestSize(alg);
    if (size < 0 || n.length != 2 + size) {
      throw r.error(field + " (" + n.length + " bytes) is neither a handle nor a hash algorithm followed by its "
          + "digest", at);
    }
    return n;
  }

  /** The exact bytes parsed: what the signature covers. */
  public byte[] rawBytes() {
    return raw.clone();
  }

  public int magic() {
    return magic;
  }

  public int type() {
    return type;
  }

  /** The qualified Name of the key that signed. */
  public byte[] qualifiedSigner() {
    return qualifiedSigner.clone();
  }

  /** The caller's qualifyingData: the verifier's nonce. */
  public byte[] extraData() {
    return extraData.clone();
  }

  /** Obfuscated by the TPM for keys outside the endorsement hierarchy (as are the counts below). */
  public long clock() {
    return clock;
  }

  public int resetCount() {
    return resetCount;
  }

  public int restartCount() {
    return restartCount;
  }

  public boolean safe() {
    return safe;
  }

  public long firmwareVersion() {
    return firmwareVersion;
  }

  /** TPMS_CERTIFY_INFO.name: the Name of the certified object. */
  public byte[] certifiedName() {
    return certifiedName.clone();
  }

  /** TPMS_CERTIFY_INFO.qualifiedName: the certified object's qualified Name. */
  public byte[] certifiedQualifiedName() {
    return certifiedQualifiedName.clone();
  }

  @Override
  public String toString() {
    return String.format("TPMS_ATTEST[magic 0x%08X, type 0x%04X, extraData %d B]", magic, type, extraData.length);
  }
}
