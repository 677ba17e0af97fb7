package dev.keytrust.tpm.session;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.CommandTimeouts;
import dev.keytrust.tpm.TpmTransport;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * A {@link CommandChannel} straight over a {@link TpmTransport}, for tests and tools that hold a
 * transport of their own (keytrust's {@code TpmSession} brings its own channel). It checks each
 * response's header, retries TPM_RC_RETRY, TPM_RC_YIELDED and TPM_RC_TESTING up to {@code
 * maxRetries} times with doubling pauses, refuses layered codes (a resource manager's or TBS's,
 * above 0xFFF) as transport errors, and hands any other code to a {@link ResponseCodeMapper}.
 * Each command is sent with its timeout from {@link CommandTimeouts#defaults()}. Not thread safe,
 * like the transports.
 */
public final class TransportChannel implements CommandChannel {
  static final int RC_YIELDED = 0x908;
  static final int RC_TESTING = 0x90A;
  static final int RC_RETRY = 0x922;

  private final TpmTransport transport;
  private final ResponseCodeMapper mapper;
  private final int maxRetries;
  private final LongConsumer sleeper;

  /** {@link ResponseCodeMapper#raw()} errors, 12 retries starting at 20 ms. */
  public TransportChannel(TpmTransport transport) {
    this(transport, ResponseCodeMapper.raw(), 12, TransportChannel::sleep);
  }

  public TransportChannel(TpmTransport transport, ResponseCodeMapper mapper, int maxRetries, LongConsumer sleeper) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.maxRetries = maxRetries;
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  @Override
  public byte[] execute(String commandName, byte[] command) throws KeytrustException {
    long pause = 20;
    for (int attempt = 0; ; attempt++) {
      byte[] response = transport.transmit(command, CommandTimeouts.defaults().forCommand(command));
      if (response.length < CommandBuffer.HEADER_SIZE || u32(response, 2) != response.length) {
        throw new KeytrustException(CoreErrorCode.TPM_TRANSPORT,
            commandName + ": the TPM returned a malformed response of " + response.length + " bytes via "
                + transport.describe() + ".");
      }
      int rc = u32(response, 6);
      if (rc == 0) {
        return response;
      }
      if ((rc & 0xFFFFF000) != 0) {
        throw new KeytrustException(CoreErrorCode.TPM_TRANSPORT, String.format(
            "%s: the TPM stack answered with layered error 0x%08X (a resource manager or TBS error, not a TPM code).",
            commandName, rc));
      }
      boolean transientCode = rc == RC_RETRY || rc == RC_YIELDED || rc == RC_TESTING;
      if (!transientCode) {
        throw mapper.error(commandName, rc);
      }
      if (attempt >= maxRetries) {
        throw new KeytrustException(CoreErrorCode.TPM_BUSY, String.format(
            "%s: the TPM stayed busy (0x%03X) through %d retries: wait a few seconds and try again.",
            commandName, rc, maxRetries));
      }
      sleeper.accept(pause);
      pause = Math.min(pause * 2, 1000);
    }
  }

  private static int u32(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TransportChannel[" + transport.describe() + "]";
  }
}
