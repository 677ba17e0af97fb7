package dev.example.embedding;

import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmUri;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link EmbeddingAgent} once: provisions a user, then signs a challenge with the user's new
 * key, as an endpoint agent would at the user's first sign-in and then at each sign-in.
 *
 * <pre>
 * java -cp CLASSPATH dev.example.embedding.Main --user alice@keytrust.lab --tpm mssim://127.0.0.1:2321 \
 *     --key-service https://127.0.0.1:PORT/EnrollmentServer/key/ --push https://127.0.0.1:PORT \
 *     --token alice.token --ca ca.pem --device device.conf --policy policy --work agent \
 *     --challenge "sign-in challenge" &lt;&lt;&lt; "$PIN"
 * </pre>
 *
 * <p>The PIN is the first line of standard input (the agent's PIN dialog stands behind it); it is
 * read into a {@code char[]} and wiped, never printed or logged. Prints two lines on stdout:
 * {@code provisioned USER: PROVIDER key KEYID registered at ENDPOINT} and {@code signature
 * BASE64}. Logs through SLF4J with whatever binding the application has (here slf4j-simple, on
 * stderr). Exit code 0, or 1 with the error on stderr.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final List<String> OPTIONS = List.of("user", "tpm", "key-service", "push", "token", "ca",
      "device", "policy", "work", "challenge");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out, System.err));
  }

  static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    Map<String, String> o;
    try {
      o = options(args);
    } catch (IllegalArgumentException e) {
      err.println("usage: Main " + String.join(" ", OPTIONS.stream().map(n -> "--" + n + " VALUE").toList())
          + " (PIN on standard input): " + e.getMessage());
      return 2;
    }
    char[] pin = null;
    try {
      pin = firstLine(stdin);
      Path work = Path.of(o.get("work"));
      EmbeddingAgent agent = new EmbeddingAgent(TpmUri.parse(o.get("tpm")), work.resolve("keys"),
          work.resolve("state"), Path.of(o.get("policy")), Path.of(o.get("device")), URI.create(o.get("key-service")),
          URI.create(o.get("push")), Path.of(o.get("token")), Path.of(o.get("ca")));
      String user = o.get("user");

      LOG.info("provisioning {} on {}", user, o.get("tpm"));
      char[] newPin = pin;
      ProvisioningResult result = agent.provision(user, newPin::clone);
      out.println("provisioned " + user + ": " + result.choice().orElseThrow().provider().id() + " key "
          + result.keyId().orElseThrow() + " registered at " + result.registered().orElseThrow().receipt().endpoint());

      byte[] signature = agent.sign(user, o.get("challenge").getBytes(StandardCharsets.UTF_8), pin.clone());
      out.println("signature " + Base64.getEncoder().encodeToString(signature));
      return 0;
    } catch (KeytrustException e) {
      err.println(e.code().id() + " " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("cannot read the PIN from standard input: " + e.getMessage());
      return 1;
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : "";
      if (!OPTIONS.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unexpected '" + args[i] + "'");
      }
      o.put(name, args[i + 1]);
    }
    for (String name : OPTIONS) {
      if (!o.containsKey(name)) {
        throw new IllegalArgumentException("--" + name + " is missing");
      }
    }
    return o;
  }

  /** The first line of {@code in}, without its line end, in an array the caller wipes. */
  private static char[] firstLine(InputStream in) throws IOException {
    Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
    char[] buf = new char[64];
    int n = 0;
    try {
      for (int c = r.read(); c != -1 && c != '\n'; c = r.read()) {
        if (n == buf.length) {
          char[] bigger = Arrays.copyOf(buf, buf.length * 2);
          Arrays.fill(buf, '\0');
          buf = bigger;
        }
        buf[n++] = (char) c;
      }
      if (n > 0 && buf[n - 1] == '\r') {
        n--;
      }
      return Arrays.copyOf(buf, n);
    } finally {
      Arrays.fill(buf, '\0');
    }
  }
}
