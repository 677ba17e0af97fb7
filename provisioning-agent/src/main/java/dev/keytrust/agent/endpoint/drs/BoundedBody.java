package dev.keytrust.agent.endpoint.drs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read into memory up to a limit. A declared {@code Content-Length} above the
 * limit is refused before any byte is read; a body that grows past the limit (chunked, or a lying
 * length) is refused as soon as it does, and the rest is not read: the subscription is cancelled,
 * which closes the connection. Either way the response completes with {@link TooLarge}.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

  /** The body was larger than the limit. */
  static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    private final int limit;

    TooLarge(int limit, String detail) {
      super("the response body is larger than " + limit + " bytes (" + detail + ")");
      this.limit = limit;
    }

    int limit() {
      return limit;
    }
  }

  private final int limit;
  private final long declaredLength;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int limit, long declaredLength) {
    this.limit = limit;
    this.declaredLength = declaredLength;
  }

  /** A handler whose bodies are at most {@code limit} bytes. */
  static HttpResponse.BodyHandler<byte[]> handler(int limit) {
    return info -> {
      long declared = -1;
      try {
        OptionalLong length = info.headers().firstValueAsLong("content-length");
        declared = length.orElse(-1);
      } catch (NumberFormatException e) {
        declared = -1; // the client checks the framing itself
      }
      return new BoundedBody(limit, declared);
    };
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (declaredLength > limit) {
      s.cancel();
      result.completeExceptionally(new TooLarge(limit, "Content-Length " + declaredLength));
      return;
    }
    s.request(1);
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      int n = item.remaining();
      if (buffer.size() + (long) n > limit) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit, "more than " + limit + " bytes arrived"));
        return;
      }
      byte[] chunk = new byte[n];
      item.get(chunk);
      buffer.write(chunk, 0, n);
    }
    subscription.request(1);
  }

  @Override
  public synchronized void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public synchronized void onComplete() {
    result.complete(buffer.toByteArray());
  }
}
