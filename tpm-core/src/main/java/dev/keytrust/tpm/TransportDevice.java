package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.LongConsumer;
import tss.TpmDevice;

/**
 * Adapts a {@link TpmTransport} to TSS.Java's {@link TpmDevice}, fixing what TSS.Java gets wrong
 * there: TPM_RC_RETRY / YIELDED / TESTING are retried a bounded number of times with back-off
 * (TSS.Java retries RETRY forever with no pause), layered errors from a resource manager or TBS
 * (which TSS.Java decodes as SUCCESS) are raised as transport errors, and the raw response code
 * of the last command is kept for exact error mapping. Each command is sent with its own timeout
 * ({@link CommandTimeouts}: long for key generation, short for the rest). Platform calls (power, physical presence,
 * locality) stay unsupported: they break swtpm.
 */
final class TransportDevice extends TpmDevice {
  static final int RC_YIELDED = 0x908;
  static final int RC_TESTING = 0x90A;
  static final int RC_RETRY = 0x922;

  private final TpmTransport transport;
  private volatile CommandTimeouts timeouts;
  private final int maxRetries;
  private final long firstBackoffMillis;
  private final LongConsumer sleeper;
  private byte[] pendingCommand;
  private int lastResponseCode;

  TransportDevice(TpmTransport transport, int maxRetries, long firstBackoffMillis, LongConsumer sleeper) {
    this(transport, CommandTimeouts.defaults(), maxRetries, firstBackoffMillis, sleeper);
  }

  TransportDevice(
      TpmTransport transport, CommandTimeouts timeouts, int maxRetries, long firstBackoffMillis, LongConsumer sleeper) {
    this.transport = transport;
    this.timeouts = java.util.Objects.requireNonNull(timeouts, "timeouts");
    this.maxRetries = maxRetries;
    this.firstBackoffMillis = firstBackoffMillis;
    this.sleeper = sleeper;
  }

  @Override
  public boolean connect() {
    return true;
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public void dispatchCommand(byte[] cmdBuf) {
    pendingCommand = cmdBuf;
  }

  @Override
  public boolean responseReady() {
    return true;
  }

  @Override
  public byte[] getResponse() {
    byte[] cmd = pendingCommand;
    pendingCommand = null;
    if (cmd == null) {
      throw new TransportFailure(new KeytrustException(CoreErrorCode.INTERNAL, "TSS.Java asked for a response without a command."));
    }
    try {
      long backoff = firstBackoffMillis;
      for (int attempt = 0; ; attempt++) {
        byte[] response = transmit(cmd);
        int rc = ByteBuffer.wrap(response, 6, 4).getInt();
        lastResponseCode = rc;
        if ((rc & 0xFFFFF000) != 0) {
          throw new TransportFailure(
              new KeytrustException(
                  CoreErrorCode.TPM_TRANSPORT,
                  String.format(
                      "The TPM stack answered with layered error 0x%08X (a resource manager or TBS error, not a TPM "
                          + "code). Check the TPM service and retry.",
                      rc)));
        }
        boolean transientRc = rc == RC_RETRY || rc == RC_YIELDED || rc == RC_TESTING;
        if (!transientRc) {
          return response;
        }
        if (attempt >= maxRetries) {
          throw new TransportFailure(
              new KeytrustException(
                  CoreErrorCode.TPM_BUSY,
                  String.format(
                      "The TPM stayed busy (%s) through %d retries. It may be running a self test or "
                          + "another long command: wait a few seconds and try again.",
                      TpmResponseCodes.name(rc), maxRetries)));
        }
        sleeper.accept(backoff);
        backoff = Math.min(backoff * 2, 1000);
      }
    } finally {
      Arrays.fill(cmd, (byte) 0);
    }
  }

  /** Sends the commands that follow with {@code timeouts} (a shared connection's next session's). */
  void useTimeouts(CommandTimeouts timeouts) {
    this.timeouts = java.util.Objects.requireNonNull(timeouts, "timeouts");
  }

  private byte[] transmit(byte[] cmd) {
    try {
      byte[] response = transport.transmit(cmd, timeouts.forCommand(cmd));
      if (response.length < 10 || ByteBuffer.wrap(response, 2, 4).getInt() != response.length) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT,
            "The TPM returned a malformed response of " + response.length + " bytes via " + transport.describe() + ".");
      }
      return response;
    } catch (KeytrustException e) {
      throw new TransportFailure(e);
    }
  }

  /** The raw TPM_RC of the last response, with all its bits. */
  int lastResponseCode() {
    return lastResponseCode;
  }

  void resetLastResponseCode() {
    lastResponseCode = 0;
  }

  TpmTransport transport() {
    return transport;
  }

  /** Carries a checked error through TSS.Java's unchecked call path; unwrapped by {@link TpmSession}. */
  static final class TransportFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient KeytrustException error;

    TransportFailure(KeytrustException error) {
      super(error.getMessage(), error, false, false);
      this.error = error;
    }

    KeytrustException error() {
      return error;
    }
  }
}
