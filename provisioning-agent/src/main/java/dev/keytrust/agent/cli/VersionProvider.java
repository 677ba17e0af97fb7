package dev.keytrust.agent.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the keytrust version (from the build) and the Java runtime it runs on. */
final class VersionProvider implements IVersionProvider {

  static final String RESOURCE = "/dev/keytrust/agent/cli/version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "keytrust " + version(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
          + System.getProperty("os.name") + " " + System.getProperty("os.arch")
    };
  }

  static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "unknown");
      }
    } catch (IOException e) {
      // fall through: the version is informational only
    }
    return "unknown";
  }
}
