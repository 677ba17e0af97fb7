package dev.keytrust.lab.faults;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.keytrust.lab.http.HttpAnswer;
import dev.keytrust.lab.http.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The faults waiting to shape a service's next responses, one each, in order, and how a fault's
 * answer is sent. Thread-safe.
 */
public final class FaultInjector {
  private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();

  /** The next responses, one fault each, in order; later requests are answered normally. */
  public void inject(Fault... next) {
    faults.addAll(List.of(next));
  }

  /** Faults not yet used. */
  public int pending() {
    return faults.size();
  }

  /** The fault for the response about to be made, taken from the queue, or null for none. */
  public Fault next() {
    return faults.poll();
  }

  /**
   * Sends {@code fault}'s answer (any kind but {@link BodyKind#REAL}): its status, Content-Type
   * application/json and its headers, and its body. A client hanging up during a large body ends
   * this with an IOException.
   */
  public static void answer(HttpExchange exchange, Fault fault) throws IOException {
    Headers h = exchange.getResponseHeaders();
    h.set("Content-Type", HttpAnswer.JSON);
    fault.headers().forEach(h::set);
    switch (fault.kind()) {
      case GIVEN -> LoopbackHttpServer.send(exchange, fault.status(), fault.body());
      case GARBAGE -> {
        byte[] garbage = {'}', '{', 0, (byte) 0xFF, 'n', 'o', 't', ' ', 'j', 's', 'o', 'n', '\n'};
        LoopbackHttpServer.send(exchange, fault.status(), garbage);
      }
      case OVERSIZED_DECLARED, OVERSIZED_CHUNKED -> {
        exchange.sendResponseHeaders(
            fault.status(), fault.kind() == BodyKind.OVERSIZED_DECLARED ? Fault.OVERSIZED_BODY : 0);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        chunk[0] = '[';
        try (OutputStream out = exchange.getResponseBody()) {
          for (int sent = 0; sent < Fault.OVERSIZED_BODY; sent += chunk.length) {
            out.write(chunk);
            chunk[0] = 'x';
          }
        } // the client hanging up half-way ends here with an IOException
      }
      default -> throw new IllegalStateException("not a fault body: " + fault.kind());
    }
  }
}
