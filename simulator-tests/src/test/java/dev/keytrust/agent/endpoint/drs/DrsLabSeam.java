package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Function;

/**
 * Test seam for the lab tests in simulator-tests: opens the HTTPS endpoint with a given
 * environment (the JVM's own environment cannot be set from a test), everything else real (clock,
 * sleeps, jitter).
 */
public final class DrsLabSeam {
  private DrsLabSeam() {}

  public static KeyRegistrationEndpoint open(
      URI uri, EndpointSettings settings, Function<String, String> environment)
      throws AgentException {
    return DrsEndpointProvider.open(
        uri, settings, environment, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()),
        new SecureRandom());
  }
}
