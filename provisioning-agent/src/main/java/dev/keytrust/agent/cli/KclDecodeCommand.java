package dev.keytrust.agent.cli;

import dev.keytrust.credential.KeyCredential;
import dev.keytrust.error.KeytrustException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code keytrust kcl decode}: what an msDS-KeyCredentialLink value holds, and whether it is intact. */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Decode one msDS-KeyCredentialLink value: version, KeyID and KeyHash (checked), usage, source,",
      "device id, custom key information, timestamps, key material, unknown entries.",
      "VALUE is read as DN-binary when it starts with B: (B:<count>:<hex>:<owner DN>), as hex when it",
      "is only an even number of hex digits, otherwise as base64 (standard or URL-safe). Whitespace and",
      "line breaks are ignored (DN-binary: only around the value). At most 1 MiB."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  keytrust kcl decode 'B:828:000200002000...:CN=alice,CN=Users,DC=contoso,DC=com'",
      "  keytrust kcl decode --json @value.txt",
      "  ldapsearch ... | keytrust kcl decode -"
    })
final class KclDecodeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "VALUE",
      description = "The value (DN-binary, hex or base64), @FILE to read it from a file, or - for standard input.")
  String value;

  @Option(names = "--json", description = "Print JSON (the field names of the shared test vectors) instead of a table.")
  boolean json;

  @Option(
      names = "--input-format",
      paramLabel = "FORM",
      defaultValue = "AUTO",
      description = "How VALUE is written: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, detected as above).")
  KclInput.Form inputFormat;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    KclInput.Decoded input;
    KeyCredential kc;
    try {
      input = KclInput.read(value, inputFormat, KeytrustCli.environment(spec).stdin());
      kc = KeyCredential.parse(input.blob()).requireKey();
    } catch (KeytrustException e) {
      if (json) {
        out.println(Json.write(KclView.error(e)));
        out.flush();
      }
      throw e;
    }
    KclInput.Decoded decoded = input;
    KeyCredential credential = kc;
    JsonOption.print(out, json, () -> KclView.json(credential, decoded.ownerDn()), () -> KclView.text(credential, decoded));
    return ExitCodes.OK;
  }
}
