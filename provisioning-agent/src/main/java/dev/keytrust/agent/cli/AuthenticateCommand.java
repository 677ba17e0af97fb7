package dev.keytrust.agent.cli;

import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.signin.DirectoryAccount;
import dev.keytrust.agent.signin.DirectoryKeyVerifier;
import dev.keytrust.agent.signin.DirectoryKeyVerifier.Verified;
import dev.keytrust.agent.signin.KeyTrustSignIn;
import dev.keytrust.agent.signin.MatchedValue;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.tpm.TpmUri;
import java.util.Base64;
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

/**
 * {@code keytrust authenticate}: the proof of a key trust sign-in. The PIN unlocks the user's key,
 * the key signs a fresh random challenge, and the directory's msDS-KeyCredentialLink of the user
 * must hold a value with the key's KeyID whose public key verifies the signature.
 */
@Command(
    name = "authenticate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Prove a key trust sign-in against the directory.",
      "The PIN unlocks the user's key, the key signs a fresh random",
      "challenge (as a domain controller's PKINIT nonce), and the directory must hold the same",
      "public key in the user's msDS-KeyCredentialLink (a value with the key's KeyID whose key",
      "material verifies the signature). Exit 1 when the key is not there yet (not synced), when",
      "the value is inconsistent, on a wrong PIN, or when the directory cannot be read."
    },
    footerHeading = "%nExample:%n",
    footer = "  printf '%%s\\n' \"$PIN\" | keytrust authenticate --user alice --pin-stdin \\%n"
        + "      --directory ldaps://dc1.example.com/DC=example,DC=com \\%n"
        + "      --directory-setting credentials-file=/etc/keytrust/dc-read.cred"
        + " --directory-setting ca-file=/etc/keytrust/ad-ca.pem")
final class AuthenticateCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(AuthenticateCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER",
      description = "The user whose key signs (the key store's user name).")
  String user;

  @Mixin DirectoryOptions directory;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin PinOption pinOption;

  @Mixin PinExpiryOptions pinExpiry;

  @Mixin JsonOption json;

  @Mixin FlowOptions.StateDir state;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    // configuration and the stored key first: both fail before the PIN is asked for
    try (DirectoryKeyVerifier verifier = directory.open()) {
      KeyContainer key = store.open().load(user);
      TpmUri uri = tpm.resolveFor(key, env);
      DirectoryAccount account = directory.account(user);
      pinExpiry.requireNotExpired(user, state.dir()); // an expired PIN is not asked for
      return pinOption.withPin(env, pin -> {
        log.debug("sign-in of '{}' with key {} on {} against {}", user, key.keyIdHex(), uri, verifier.describe());
        KeyTrustSignIn.Result result;
        try (HelloKeys keys = HelloKeys.open(uri, store.root())) {
          result = new KeyTrustSignIn().audit(AuditTrail.forStateDir(state.dir()))
              .authenticate(keys, user, pin, verifier, account);
        }
        json.print(spec.commandLine().getOut(), () -> json(result, account, verifier.describe()),
            () -> text(result, account, verifier.describe()));
        return ExitCodes.OK;
      });
    }
  }

  static String text(KeyTrustSignIn.Result r, DirectoryAccount account, String directory) {
    Verified v = r.verified();
    MatchedValue m = v.match();
    return new Report().section("Key Trust Sign-in")
        .row("User", r.key().user())
        .row("Key id", r.key().keyIdHex())
        .row("Key id (Base64)", Base64.getEncoder().encodeToString(r.key().keyId()))
        .row("Key provider", r.key().provider().id() + " " + r.key().algorithm().id())
        .row("Challenge", HexFormat.of().formatHex(r.challenge()))
        .row("Signature", v.signatureAlgorithm() + ", " + r.signature().length + " bytes")
        .section("Directory")
        .row("Directory", directory)
        .row("Searched for", account.describe())
        .row("User object", v.userDn())
        .row("Values", v.values())
        .row("Matched value", m.index() + " of " + m.of())
        .row("Value key id", m.keyIdBase64())
        .row("Value source", m.sourceName())
        .row("Value created", m.creationTime() == null ? "unknown" : m.creationTime())
        .row("Value device id", m.deviceId() == null ? "none" : m.deviceId())
        .section("Result")
        .row("Result", "SUCCESS: the directory holds this key and it verified the signature;"
            + " on-premises key trust sign-in with this PIN works")
        .render();
  }

  static Map<String, Object> json(KeyTrustSignIn.Result r, DirectoryAccount account, String directory) {
    Verified v = r.verified();
    MatchedValue m = v.match();
    Map<String, Object> matched = new LinkedHashMap<>();
    matched.put("index", m.index());
    matched.put("keyId", m.keyIdHex());
    matched.put("keyIdBase64", m.keyIdBase64());
    matched.put("source", m.sourceName());
    matched.put("creationTime", m.creationTime() == null ? null : m.creationTime().toString());
    matched.put("deviceId", m.deviceId() == null ? null : m.deviceId().toString());
    matched.put("ownerDn", m.ownerDn());
    matched.put("keyAlgorithm", m.keyAlgorithm());
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("outcome", "SUCCESS");
    o.put("user", r.key().user());
    o.put("keyId", r.key().keyIdHex());
    o.put("keyIdBase64", Base64.getEncoder().encodeToString(r.key().keyId()));
    o.put("provider", r.key().provider().id());
    o.put("algorithm", r.key().algorithm().id());
    o.put("challenge", HexFormat.of().formatHex(r.challenge()));
    o.put("signatureAlgorithm", v.signatureAlgorithm());
    o.put("directory", directory);
    o.put("userPrincipalName", account.upn());
    o.put("userDn", v.userDn());
    o.put("values", v.values());
    o.put("matched", matched);
    return o;
  }
}
