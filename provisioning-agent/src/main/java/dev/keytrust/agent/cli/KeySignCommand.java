package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key sign}: sign data with a user's key after checking the PIN. */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Sign data with the user's key and print the signature as hex.",
      "The signature is over SHA-256 of the data: RSASSA-PKCS1-v1_5 (rsa2048) or DER ECDSA (p256),",
      "so SHA256withRSA / SHA256withECDSA verify it against the public key."
    })
final class KeySignCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(KeySignCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key signs.")
  String user;

  @Option(
      names = "--data-hex",
      required = true,
      paramLabel = "HEX",
      description = "The data to sign, as hex (e.g. 48656c6c6f for \"Hello\").")
  String dataHex;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin PinOption pinOption;

  @Mixin PinExpiryOptions pinExpiry;

  @Mixin FlowOptions.StateDir state;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    byte[] data = parseHex(dataHex);
    // the stored key first: a missing key is reported before the PIN is asked for, and a
    // software key needs no --tpm
    KeyContainer key = store.open().load(user);
    TpmUri uri = tpm.resolveFor(key, env);
    pinExpiry.requireNotExpired(user, state.dir()); // an expired PIN is not asked for
    return pinOption.withPin(env, pin -> {
      log.debug("signing {} bytes with the key of user '{}' on {}", data.length, user, uri);
      try (HelloKeys keys = HelloKeys.open(uri, store.root())) {
        byte[] signature = keys.sign(user, data, pin);
        String hex = HexFormat.of().formatHex(signature);
        PrintWriter out = spec.commandLine().getOut();
        if (json.json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("user", key.user());
          m.put("keyId", key.keyIdHex());
          m.put("algorithm", key.algorithm().id());
          m.put("signatureAlgorithm", key.algorithm().jcaSignatureAlgorithm());
          m.put("signature", hex);
          out.println(Json.write(m));
        } else {
          out.println(hex);
        }
        out.flush();
      }
      return ExitCodes.OK;
    });
  }

  static byte[] parseHex(String hex) throws KeytrustException {
    String h = hex.strip();
    try {
      return HexFormat.of().parseHex(h);
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT,
          "--data-hex is not hex: give an even number of the digits 0-9 and a-f, e.g. 48656c6c6f.",
          e);
    }
  }
}
