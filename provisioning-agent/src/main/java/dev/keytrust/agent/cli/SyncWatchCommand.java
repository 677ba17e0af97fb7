package dev.keytrust.agent.cli;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.signin.DirectoryAccount;
import dev.keytrust.agent.signin.DirectoryKeyVerifier;
import dev.keytrust.agent.signin.MatchedValue;
import dev.keytrust.agent.signin.SyncWatch;
import dev.keytrust.error.Durations;
import dev.keytrust.key.KeyContainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust sync-watch}: polls the directory until the user's msDS-KeyCredentialLink holds the
 * user's key (directory sync has copied it), one progress line per poll on stderr. Needs no PIN.
 */
@Command(
    name = "sync-watch",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Wait until directory sync has copied the user's key.",
      "It polls the user's msDS-KeyCredentialLink until it holds the user's key",
      "(a value with the key's KeyID and public key), at most --cycles times, --interval apart, and",
      "say when on-premises sign-in works. One line per poll on stderr. Needs no PIN.",
      "Exit 1 when the key has not appeared after the last poll, or the value is inconsistent."
    },
    footerHeading = "%nExample:%n",
    footer = "  keytrust sync-watch --user alice --directory ldaps://dc1.example.com/DC=example,DC=com \\%n"
        + "      --directory-setting credentials-file=/etc/keytrust/dc-read.cred --cycles 40 --interval 1m")
final class SyncWatchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--user", required = true, paramLabel = "USER",
      description = "The user whose key is watched for (the key store's user name).")
  String user;

  @Mixin DirectoryOptions directory;

  @Mixin StoreOption store;

  @Option(names = "--cycles", paramLabel = "N", defaultValue = "40",
      description = "The most polls. Default: ${DEFAULT-VALUE}.")
  int cycles;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "60s", converter = IntervalConverter.class,
      description = "The wait between polls: 500ms, 30s, 2m, 1h. Default: ${DEFAULT-VALUE}"
          + " (Entra Connect syncs every 30 min).")
  Duration interval;

  @Option(names = "--json", description = "Print the result as JSON (progress stays on stderr).")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (cycles < 1) {
      throw new ParameterException(spec.commandLine(), "--cycles must be at least 1, not " + cycles);
    }
    try (DirectoryKeyVerifier verifier = directory.open()) {
      KeyContainer key = store.open().load(user);
      DirectoryAccount account = directory.account(user);
      PrintWriter err = spec.commandLine().getErr();
      String keyId = Base64.getEncoder().encodeToString(key.keyId());
      SyncWatch.Result result = new SyncWatch(verifier).await(account, key, cycles, interval, poll -> {
        err.println("[" + poll.cycle() + "/" + poll.cycles() + "] " + poll.at() + " "
            + poll.match().map(m -> "key " + keyId + " found: " + m.describe())
                .orElse("key " + keyId + " not in msDS-KeyCredentialLink of " + poll.userDn() + " ("
                    + poll.values() + " other value(s))"
                    + (poll.next() == null ? "" : "; next poll in " + Durations.human(poll.next()))));
        err.flush();
      });
      if (!result.appeared()) {
        throw new AgentException(AgentErrorCode.SIGNIN_KEY_NOT_IN_DIRECTORY,
            "Key " + keyId + " of user '" + user + "' has not appeared in msDS-KeyCredentialLink of "
                + result.userDn() + " on " + verifier.describe() + " after " + result.polls() + " poll(s)"
                + " over " + Durations.human(Duration.between(result.started(), result.ended()))
                + (result.interrupted() ? " (interrupted)" : "") + ": not registered or not synced yet:"
                + " on-premises sign-in works once directory sync has copied the key. Check the registration"
                + " (keytrust status --user " + user + ") and the sync service, or watch longer (--cycles).");
      }
      MatchedValue m = result.match().get();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("outcome", "SYNCED");
        o.put("user", user);
        o.put("keyId", key.keyIdHex());
        o.put("keyIdBase64", keyId);
        o.put("directory", verifier.describe());
        o.put("userDn", result.userDn());
        o.put("polls", result.polls());
        o.put("firstPoll", result.started().toString());
        o.put("foundAt", result.ended().toString());
        o.put("matchedIndex", m.index());
        o.put("source", m.sourceName());
        o.put("creationTime", m.creationTime() == null ? null : m.creationTime().toString());
        out.println(Json.write(o));
      } else {
        out.println("Key " + keyId + " of user '" + user + "' is in msDS-KeyCredentialLink of " + result.userDn()
            + " (" + m.describe() + "), found by poll " + result.polls() + " at " + result.ended()
            + ": on-premises key trust sign-in with this key works now (keytrust authenticate proves it"
            + " with the PIN).");
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
