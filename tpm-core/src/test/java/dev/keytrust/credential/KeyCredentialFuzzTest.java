package dev.keytrust.credential;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer) of the two parsers of untrusted msDS-KeyCredentialLink input:
 * {@link KeyCredential#parse} gets the bytes as a blob, {@link DnBinary#parse} gets them as a
 * Latin-1 string (one char per byte). For any input the only exception allowed is {@link
 * KeyCredentialFormatException}, and whatever parses must re-serialise to the same bytes
 * ({@link ParserChecks}).
 *
 * <p>Seeds: {@code KeyCredentialFuzzTestInputs/parsers/} in the test resources, the blobs and
 * DN-binary strings of the vectors (see the README there).
 *
 * <p>How it runs: in {@code mvn verify} the surefire execution {@code fuzz} of tpm-core's pom sets
 * {@code JAZZER_FUZZ=1} for this class only and fuzzes for {@code kt.fuzz.duration} (30 s;
 * {@code -Dkt.fuzz.duration=10m} for longer, {@code -Dkt.fuzz.skip} to skip), keeping the generated
 * corpus and any findings under the build folder ({@code ${kt.target}/jazzer}), never in the source
 * tree. Without {@code JAZZER_FUZZ} (an IDE, or surefire's default execution when named with
 * {@code -Dtest}) Jazzer runs the seeds once as a regression test.
 */
class KeyCredentialFuzzTest {

  /** The default is what the pom passes as {@code jazzer.max_duration} anyway. */
  @FuzzTest(maxDuration = "30s")
  void parsers(byte[] data) {
    ParserChecks.checkBlob(data);
    ParserChecks.checkDnBinary(new String(data, StandardCharsets.ISO_8859_1));
  }
}
