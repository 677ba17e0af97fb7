package dev.keytrust.agent.cli;

import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What to do about a library error in terms of this CLI's commands and options. tpm-core's messages
 * say what to do in the library's terms ("delete the key", "the TPM URI 'software'"); the CLI adds
 * here how to do it with keytrust's own options, per error code, so the library never names a
 * command-line option.
 */
final class CliAdvice {

  /** What replaces a key the TPM lost (issue 16 item 16): provisioning checks the key and replaces it. */
  private static final String LOST_KEY = "If keytrust provisioned this key, `keytrust provision --user {user}` replaces"
      + " it (after MFA, with a new PIN; the lost key's registration is removed).";

  /** Advice for commands of every kind; {@code {user}} is the command's --user value. */
  private static final Map<ErrorCode, String> ANY_COMMAND = Map.of(
      CoreErrorCode.UNKNOWN_TPM_URI, "Name the TPM with --tpm or the variable KEYTRUST_TPM.",
      CoreErrorCode.TPM_PLATFORM_UNSUPPORTED, "Choose the TPM with --tpm URI, or --tpm software for software keys.",
      CoreErrorCode.TPM_NO_RESOURCE_MANAGER, "Choose the TPM with --tpm URI.",
      CoreErrorCode.TPM_VERSION_UNSUPPORTED, "Choose the TPM with --tpm URI, or --tpm software for software keys.",
      CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, "'keytrust tpm info' shows what the TPM supports; choose another --alg.",
      CoreErrorCode.KEY_PROVIDER_MISMATCH, "Select that provider with --tpm.",
      CoreErrorCode.STORE_PERMISSIONS, "Another key store is chosen with --store DIR.",
      CoreErrorCode.TPM_SRK_MISMATCH, LOST_KEY,
      CoreErrorCode.TPM_KEY_NOT_LOADABLE, LOST_KEY);

  /** Advice for the key commands ({@code keytrust key ...}), which manage one key directly. */
  private static final Map<ErrorCode, String> KEY_COMMANDS = Map.of(
      CoreErrorCode.KEY_NOT_FOUND,
          "Create one with 'keytrust key create --user {user}', or pass --store with the directory that holds it.",
      CoreErrorCode.KEY_EXISTS, "'keytrust key delete --user {user}' deletes it.",
      CoreErrorCode.STORE_CORRUPT,
          "'keytrust key delete --user {user}' deletes it; 'keytrust key create --user {user}' makes a new one.",
      CoreErrorCode.COUNTER_TAMPERED,
          "'keytrust key delete --user {user}' deletes it; 'keytrust key create --user {user}' makes a new one.");

  /** Advice for {@code keytrust kinit}. */
  private static final Map<ErrorCode, String> KINIT = Map.of(
      AgentErrorCode.KINIT_KDC_CERT_UNTRUSTED, "Give the enterprise CA's certificate with --kdc-ca FILE.",
      AgentErrorCode.KINIT_KDC_CERT_WRONG_NAME, "Check --realm and --kdc.",
      AgentErrorCode.KINIT_KDC_UNREACHABLE, "Name a domain controller with --kdc HOST[:PORT].",
      AgentErrorCode.KINIT_PRINCIPAL_UNKNOWN, "Check --user (the UPN) and --realm.",
      AgentErrorCode.KINIT_NAME_MISMATCH, "Give the account's UPN as --user.");

  private CliAdvice() {}

  /**
   * The advice for {@code code} when {@code command} failed with it, or empty.
   *
   * @param command the command that ran (its --user value fills {@code {user}})
   */
  static Optional<String> forCode(ErrorCode code, CommandLine command) {
    String advice = ANY_COMMAND.get(code);
    if (advice == null && isKeyCommand(command)) {
      advice = KEY_COMMANDS.get(code);
    }
    if (advice == null && command != null && command.getCommandName().equals("kinit")) {
      advice = KINIT.get(code);
    }
    if (advice == null) {
      return Optional.empty();
    }
    if (advice.contains("--tpm") && !hasOption(command, "--tpm")) {
      return Optional.empty();
    }
    return Optional.of(advice.replace("{user}", user(command)));
  }

  private static boolean isKeyCommand(CommandLine command) {
    CommandLine parent = command == null ? null : command.getParent();
    return parent != null && parent.getCommandName().equals("key");
  }

  private static boolean hasOption(CommandLine command, String name) {
    return command != null && command.getCommandSpec().findOption(name) != null;
  }

  private static String user(CommandLine command) {
    OptionSpec user = command == null ? null : command.getCommandSpec().findOption("--user");
    Object value = user == null ? null : user.getValue();
    return value == null ? "USER" : value.toString();
  }
}
