package dev.keytrust.attest;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the parsers of untrusted attestation input, the TPM
 * structures a client sends an attestation CA: {@link TpmtPublic#parse}, {@link TpmsAttest#parse}
 * and {@link TpmtSignature#parse} each get the bytes. For any input the only exception allowed is
 * {@link AttestFormatException} with an offset inside the input, and what parses keeps exactly the
 * input as its raw bytes ({@link AttestParserChecks}).
 *
 * <p>Seeds: {@code AttestParsersFuzzTestInputs/parsers/} in the test resources, structures
 * captured from swtpm (see {@code vectors/README.md}).
 *
 * <p>How it runs: like {@code KeyCredentialFuzzTest}, in its own surefire execution ({@code
 * fuzz-attest} in tpm-core's pom: Jazzer fuzzes one test per JVM) with {@code JAZZER_FUZZ=1} for
 * {@code kt.fuzz.duration}; without it (an IDE, {@code -Dtest=}) the seeds run once as a regression
 * test. {@code -Dkt.fuzz.skip} skips it.
 */
class AttestParsersFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parsers(byte[] data) {
    AttestParserChecks.checkAll(data);
  }
}
