package dev.keytrust.agent.mfa;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.internal.StateFiles;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Makes {@code totp} providers. Settings:
 *
 * <ul>
 *   <li>{@code secret-file} (required): a file with the {@code otpauth://totp/...} URI or the Base32
 *       secret; on POSIX it must not be readable or writable by others nor writable by its group;
 *   <li>{@code algorithm} ({@code SHA1}, {@code SHA256}, {@code SHA512}; default SHA1), {@code digits}
 *       (6..8, default 6), {@code period} (seconds, default 30): for a bare secret, or agreeing with
 *       the URI.
 * </ul>
 *
 * The context must have a code prompt; its state directory keeps used time steps.
 */
public final class TotpProviderFactory implements MfaProviderFactory {

  @Override
  public String name() {
    return TotpMfaProvider.NAME;
  }

  @Override
  public Set<String> settingNames() {
    return Set.of("secret-file", "algorithm", "digits", "period");
  }

  @Override
  public MfaProvider create(MfaSettings settings, MfaContext context) throws AgentException {
    String fileName = settings.get("secret-file").orElseThrow(() -> new AgentException(AgentErrorCode.MFA_CONFIG_INVALID,
        "The MFA method totp needs the setting secret-file: the file with the otpauth://totp/ URI or Base32"
            + " secret of the user's authenticator."));
    Path file;
    try {
      file = Path.of(fileName);
    } catch (InvalidPathException e) {
      throw new AgentException(AgentErrorCode.MFA_CONFIG_INVALID, "The TOTP secret-file '" + fileName
          + "' is not a valid path: give the file's path.", e);
    }
    MfaCodePrompt prompt = context.codePrompt().orElseThrow(() -> new AgentException(AgentErrorCode.MFA_CONFIG_INVALID,
        "The MFA method totp needs someone to type the code, and this run cannot ask (no terminal):"
            + " run interactively or use another MFA method."));
    byte[] content = StateFiles.readSecretFile(file, TotpSecretFile.MAX_BYTES, AgentErrorCode.MFA_CONFIG_INVALID,
        "TOTP secret file");
    try {
      return new TotpMfaProvider(TotpSecretFile.parse(content, settings, file), prompt, context.clock(),
          context.stateDir());
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }
}
