package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpointProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/** {@code recording:/DIR}: a {@link RecordingEndpoint} over DIR (test class path only). */
public final class RecordingEndpointProvider implements KeyRegistrationEndpointProvider {
  @Override
  public Set<String> schemes() {
    return Set.of("recording");
  }

  @Override
  public Set<String> settingNames() {
    return Set.of();
  }

  @Override
  public KeyRegistrationEndpoint open(URI uri, EndpointSettings settings) {
    return new RecordingEndpoint(Path.of(uri.getSchemeSpecificPart()));
  }
}
