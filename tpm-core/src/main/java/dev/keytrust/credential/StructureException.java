package dev.keytrust.credential;

/**
 * Inner key material (BCRYPT blob, DER, PCP blob, FIDO JSON, CBOR) that does not have the expected
 * shape. Never leaves the package: the material is then reported as {@link KeyMaterialFormat#UNKNOWN}
 * with this message as the reason.
 */
final class StructureException extends Exception {
  private static final long serialVersionUID = 1L;

  StructureException(String message) {
    super(message, null, false, false);
  }
}
