package dev.keytrust.agent.cli;

import dev.keytrust.attest.AttestationKey;
import dev.keytrust.attest.AttestationKeyStore;
import dev.keytrust.attest.WebAuthnTpmAttestation;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.ProviderKind;
import dev.keytrust.tpm.TpmUri;
import java.io.PrintWriter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust key attest}: the user key's TPM attestation in WebAuthn's {@code tpm} format. */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Print the TPM attestation of the user's key for a WebAuthn relying party to verify.",
      "The key is certified (TPM2_Certify, after the PIN) by the attestation key provisioning enrolled",
      "with the endpoint's attestation CA (endpoint setting attest=preferred or required). Output: the",
      "attestationObject (fmt \"tpm\": x5c = the AIK certificate path) and the clientDataJSON it binds,",
      "both unpadded Base64url, as a browser hands them to a relying party. A software key cannot be",
      "attested."
    })
final class KeyAttestCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER", description = "The user whose key is attested.")
  String user;

  @Option(names = "--format", required = true, paramLabel = "FORMAT",
      description = "The attestation format: webauthn (a WebAuthn 'tpm' attestation statement).")
  String format;

  @Option(names = "--rp-id", required = true, paramLabel = "ID",
      description = "The WebAuthn relying party id, a host name (e.g. login.example.com).")
  String rpId;

  @Option(names = "--challenge", required = true, paramLabel = "HEX",
      description = "The relying party's challenge, as hex (1 to 64 bytes).")
  String challengeHex;

  @Option(names = "--origin", paramLabel = "ORIGIN",
      description = "The origin in the client data; default https://<rp-id>.")
  String origin;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin PinOption pinOption;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    if (!"webauthn".equals(format)) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "--format " + format + " is not supported: use --format webauthn.");
    }
    byte[] challenge;
    try {
      challenge = HexFormat.of().parseHex(challengeHex.strip());
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "--challenge is not hex: give an even number of the digits 0-9 and a-f.", e);
    }
    // everything that can be refused without the PIN is refused first
    KeyContainer key = store.open().load(user);
    if (key.provider() != ProviderKind.TPM) {
      throw new KeytrustException(CoreErrorCode.ATTEST_UNSUPPORTED_KEY,
          "The key of user '" + user + "' is a software key and cannot be attested: its private key is not in a"
              + " TPM, so no TPM can vouch for it.");
    }
    WebAuthnTpmAttestation.Request request = WebAuthnTpmAttestation.request(rpId,
        origin == null ? "https://" + rpId : origin, challenge, key.keyId(), key.publicKey());
    TpmUri uri = tpm.resolveFor(key, env);
    AttestationKey ak = new AttestationKeyStore(store.open()).find(user).orElseThrow(() -> new KeytrustException(
        CoreErrorCode.ATTEST_KEY_UNUSABLE,
        "User '" + user + "' has no attestation key: provision with an endpoint that attests (endpoint setting"
            + " attest=preferred or attest=required), which enrolls one with its attestation CA."));
    // the TPM is opened only once the PIN is typed (a simulator serves one client)
    return pinOption.withPin(env, pin -> {
      try (HelloKeys keys = HelloKeys.open(uri, store.root())) {
        WebAuthnTpmAttestation.Result result = request.complete(keys.certify(user, pin, ak, request.qualifyingData()));
        print(key, ak, result);
        return ExitCodes.OK;
      }
    });
  }

  private void print(KeyContainer key, AttestationKey ak, WebAuthnTpmAttestation.Result result) {
    Base64.Encoder b64url = Base64.getUrlEncoder().withoutPadding();
    String object = b64url.encodeToString(result.attestationObject());
    String clientData = b64url.encodeToString(result.clientDataJson());
    PrintWriter out = spec.commandLine().getOut();
    if (json.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("user", key.user());
      m.put("keyId", key.keyIdHex());
      m.put("format", "webauthn");
      m.put("fmt", "tpm");
      m.put("rpId", rpId);
      m.put("credentialId", b64url.encodeToString(key.keyId()));
      m.put("attestationObject", object);
      m.put("clientDataJSON", clientData);
      m.put("aikIssuer", ak.aikIssuer());
      m.put("ekIssuer", ak.ekIssuer());
      out.println(Json.write(m));
    } else {
      out.println("attestationObject: " + object);
      out.println("clientDataJSON: " + clientData);
    }
    out.flush();
  }
}
