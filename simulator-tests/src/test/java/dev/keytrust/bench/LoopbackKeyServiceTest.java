package dev.keytrust.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The benchmark's loopback key service answers as the provisioning benchmark expects. */
class LoopbackKeyServiceTest {
  @Test
  void postAnswersAKidAndCountsDeleteAnswers204() throws Exception {
    try (LoopbackKeyService service = LoopbackKeyService.start()) {
      assertThat(service.uri()).matches("http://127\\.0\\.0\\.1:\\d+/keys");
      HttpClient client = HttpClient.newHttpClient();

      HttpResponse<String> post = client.send(
          HttpRequest.newBuilder(URI.create(service.uri())).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> delete = client.send(
          HttpRequest.newBuilder(URI.create(service.uri() + "/AAAA")).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> get = client.send(
          HttpRequest.newBuilder(URI.create(service.uri())).GET().build(), HttpResponse.BodyHandlers.ofString());

      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.body()).matches("\\{\"kid\":\"[0-9a-f-]{36}\"\\}");
      assertThat(post.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(delete.statusCode()).isEqualTo(204);
      assertThat(get.statusCode()).isEqualTo(405);
      assertThat(service.registrations()).isEqualTo(1);
    }
  }
}
