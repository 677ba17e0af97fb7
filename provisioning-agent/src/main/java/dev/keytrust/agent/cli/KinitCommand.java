package dev.keytrust.agent.cli;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.kinit.CcacheName;
import dev.keytrust.agent.kinit.FileCredentialCache;
import dev.keytrust.agent.kinit.HelloKeySigner;
import dev.keytrust.agent.kinit.KdcAddress;
import dev.keytrust.agent.kinit.KdcTrust;
import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.KeyTrustKinit;
import dev.keytrust.agent.kinit.KinitAccount;
import dev.keytrust.key.HelloKeys;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust kinit}: a key trust sign-in to Active Directory with Kerberos PKINIT; the TGT
 * goes to a FILE credential cache. See {@link KeyTrustKinit}.
 */
@Command(
    name = "kinit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Sign in to Active Directory with the user's key (Kerberos PKINIT, key trust) and store the TGT.",
      "The PIN unlocks the key; the key signs a certificate made on the fly (its UPN, no CA) and the",
      "PKINIT request; the KDC checks the key against the user's msDS-KeyCredentialLink. The reply",
      "is used only when the KDC's certificate chains to --kdc-ca, has the KDC EKU and names the",
      "realm's KDC. The TGT goes to an MIT FILE credential cache (mode 0600, replaced atomically)",
      "that klist, kvno and GSSAPI applications use."
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  KRB5CCNAME        the credential cache when --ccache is not given (else /tmp/krb5cc_<uid>)",
      "  " + KinitCommand.KDC_CA_ENV + "  the KDC CA file when --kdc-ca is not given",
      "",
      "Example:",
      "  printf '%%s\\n' \"$PIN\" | keytrust kinit --user alice@example.com --pin-stdin \\",
      "      --kdc dc1.example.com --kdc-ca /etc/keytrust/enterprise-ca.pem && klist"
    })
final class KinitCommand implements Callable<Integer> {
  static final String KDC_CA_ENV = "KEYTRUST_KDC_CA";
  private static final Logger log = LoggerFactory.getLogger(KinitCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "U",
      description = "The user: the key store's user name, a UPN (alice@example.com) or an account name.")
  String user;

  @Option(names = "--realm", paramLabel = "R",
      description = "The realm (the AD domain in upper case). Default: the UPN's domain in upper case.")
  String realm;

  @Option(names = "--kdc", paramLabel = "HOST[:PORT]",
      description = "The KDC (a domain controller), port 88 unless given. Default: the realm's DNS name.")
  String kdc;

  @Option(names = "--kdc-ca", paramLabel = "FILE",
      description = "PEM file of the CA that issued the domain controllers' KDC certificates (the"
          + " enterprise CA). Default: the variable " + KDC_CA_ENV + ".")
  Path kdcCa;

  @Option(names = "--ccache", paramLabel = "FILE:PATH",
      description = "The credential cache to write (FILE:PATH or PATH). Default: $KRB5CCNAME, else /tmp/krb5cc_<uid>.")
  String ccache;

  @Mixin TpmOption tpm;

  @Mixin StoreOption store;

  @Mixin PinOption pinOption;

  @Mixin PinExpiryOptions pinExpiry;

  @Mixin FlowOptions.StateDir state;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    CliEnvironment env = KeytrustCli.environment(spec);
    // everything that can be bad input is checked before the PIN is asked for
    KinitAccount account = KinitAccount.of(user, realm);
    KdcAddress address = kdc != null ? KdcAddress.parse(kdc) : KdcAddress.forRealm(account.realm());
    KdcTrust trust = KdcTrust.fromFile(caFile(env));
    Path cache = ccache != null ? CcacheName.parse(ccache) : CcacheName.defaultPath(env.getenv("KRB5CCNAME"));
    CcacheName.requireWritable(cache);
    KeyContainer key = store.open().load(user);
    TpmUri uri = tpm.resolveFor(key, env);
    pinExpiry.requireNotExpired(user, state.dir()); // an expired PIN is not asked for
    return pinOption.withPin(env, pin -> {
      log.debug("kinit of {} with key {} on {} against {}", account.client(), key.keyIdHex(), uri, address);
      try (HelloKeys keys = HelloKeys.open(uri, store.root())) {
        KeyTrustKinit kinit = KeyTrustKinit.builder()
            .signer(HelloKeySigner.of(keys, user, pin))
            .account(account)
            .kdc(address)
            .trust(trust)
            .build();
        try (KerberosCredentials tgt = kinit.signIn()) {
          FileCredentialCache.write(cache, tgt);
          json.print(spec.commandLine().getOut(), () -> KinitView.json(tgt, key, cache),
              () -> KinitView.text(tgt, key, cache));
        }
      }
      return ExitCodes.OK;
    });
  }

  private Path caFile(CliEnvironment env) throws AgentException {
    if (kdcCa != null) {
      return kdcCa;
    }
    Optional<String> fromEnv = env.getenv(KDC_CA_ENV).filter(v -> !v.isBlank());
    if (fromEnv.isPresent()) {
      return Path.of(fromEnv.get());
    }
    throw new AgentException(AgentErrorCode.KINIT_KDC_CA_FILE, "No KDC CA is given: keytrust uses the"
        + " KDC's reply only when its certificate chains to the enterprise CA. Give its PEM file"
        + " with --kdc-ca FILE (or the variable " + KDC_CA_ENV + ").");
  }
}
