package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmInfo;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmUri;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code keytrust tpm info}: what the TPM is and what state it is in. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Show the TPM: manufacturer, firmware, specification level, algorithms and ECC curves,",
      "dictionary-attack state and the storage root keys."
    })
final class TpmInfoCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(TpmInfoCommand.class);

  @Spec CommandSpec spec;

  @Mixin TpmOption tpm;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    TpmUri uri = tpm.resolve(KeytrustCli.environment(spec));
    if (uri.isSoftware()) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT,
          "'software' is not a TPM: name a TPM with --tpm (mssim://HOST:PORT, unix:PATH, "
              + "device:/dev/tpmrm0 or tbs:).");
    }
    log.debug("reading TPM facts from {}", uri);
    TpmInfo info;
    try (TpmSession session = TpmSession.open(uri)) {
      info = session.info();
    }
    TpmInfo read = info;
    json.print(spec.commandLine().getOut(), () -> TpmInfoView.json(read), () -> TpmInfoView.text(read));
    return ExitCodes.OK;
  }
}
