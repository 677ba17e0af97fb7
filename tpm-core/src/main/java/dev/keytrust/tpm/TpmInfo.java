package dev.keytrust.tpm;

import java.util.List;

/**
 * What a TPM says about itself (TPM2_GetCapability), for diagnostics.
 *
 * @param tpm the TPM URI used
 * @param manufacturer the four-character manufacturer id, e.g. {@code IBM}, {@code IFX}, {@code MSFT}
 * @param vendorString the vendor strings 1..4 joined
 * @param firmwareVersion FIRMWARE_VERSION_1 and _2, as {@code major.minor.build.revision} where the
 *     vendor uses that layout, followed by the raw 32-bit values in hex
 * @param specFamily e.g. {@code 2.0}
 * @param specRevision e.g. {@code 1.64}
 * @param specYear the year of the specification the TPM implements
 * @param algorithms the algorithms the TPM implements, by TCG name
 * @param eccCurves the ECC curves the TPM implements, by TCG name
 * @param dictionaryAttack the anti-hammering state
 * @param srks storage root keys at their persistent handles
 */
public record TpmInfo(
    String tpm,
    String manufacturer,
    String vendorString,
    String firmwareVersion,
    String specFamily,
    String specRevision,
    int specYear,
    List<String> algorithms,
    List<String> eccCurves,
    DictionaryAttackState dictionaryAttack,
    List<SrkStatus> srks) {
  public TpmInfo {
    algorithms = List.copyOf(algorithms);
    eccCurves = List.copyOf(eccCurves);
    srks = List.copyOf(srks);
  }
}
