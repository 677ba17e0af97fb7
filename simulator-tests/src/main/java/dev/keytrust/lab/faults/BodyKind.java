package dev.keytrust.lab.faults;

/** How a fault's body is made. */
public enum BodyKind {
  /** The fault's own bytes. */
  GIVEN,
  /** Bytes that are not JSON (with Content-Type application/json). */
  GARBAGE,
  /** {@link Fault#OVERSIZED_BODY} bytes with Content-Length. */
  OVERSIZED_DECLARED,
  /** {@link Fault#OVERSIZED_BODY} bytes, chunked (no length known in advance). */
  OVERSIZED_CHUNKED,
  /** The service's real answer. */
  REAL
}
