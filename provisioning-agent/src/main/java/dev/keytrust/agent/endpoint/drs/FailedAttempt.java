package dev.keytrust.agent.endpoint.drs;

import java.net.http.HttpResponse;

/**
 * One attempt whose outcome may pass on a retry: a retryable status (429, 5xx), a timeout, or a
 * connection failure.
 *
 * @param kind what went wrong
 * @param response the answer, for {@link Kind#STATUS}; else null
 * @param error the transport exception, for {@link Kind#TIMEOUT} and {@link Kind#CONNECT}; else
 *     null
 */
record FailedAttempt(Kind kind, HttpResponse<byte[]> response, Exception error) {

  /** What went wrong in an attempt that may pass on a retry. */
  enum Kind {
    /** The server answered with a retryable status. */
    STATUS,
    /** No whole answer within the request timeout. */
    TIMEOUT,
    /** Connecting (or the connection) failed. */
    CONNECT
  }
}
