package dev.keytrust.nativeio;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.CommandTimeouts;
import dev.keytrust.tpm.TpmTransport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TBS context. {@code Tbsip_Submit_Command} has no timeout of its own, so a timer calls
 * {@code Tbsip_Cancel_Commands} when the command's timeout passes (never later than the I/O
 * timeout); the cancelled call then fails with a timeout error that names the command. Command and response buffers are zeroed and freed after every call.
 */
final class TbsTransport implements TpmTransport {

  /** The largest TPM 2.0 response Windows returns (TPM2_GetCapability MAX_RESPONSE_SIZE). */
  static final int RESPONSE_BUFFER_SIZE = 4096;

  private final Tbs tbs;
  private final Pointer context;
  private final Duration ioTimeout;
  private final Object closeLock = new Object();
  private boolean closed;
  private volatile boolean timedOut;

  TbsTransport(Tbs tbs, Pointer context, Duration ioTimeout) {
    this.tbs = Objects.requireNonNull(tbs, "tbs");
    this.context = Objects.requireNonNull(context, "context");
    this.ioTimeout = Objects.requireNonNull(ioTimeout, "ioTimeout");
  }

  @Override
  public byte[] transmit(byte[] command) throws KeytrustException {
    return transmit(command, ioTimeout);
  }

  @Override
  public byte[] transmit(byte[] command, Duration timeout) throws KeytrustException {
    FdTransport.checkCommand(command);
    Duration wait = timeout == null || timeout.compareTo(ioTimeout) > 0 || timeout.isNegative() || timeout.isZero()
        ? ioTimeout : timeout;
    synchronized (closeLock) {
      if (closed) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT, "The TPM transport tbs: is closed; open a new one.");
      }
    }
    Memory in = new Memory(command.length);
    Memory out = new Memory(RESPONSE_BUFFER_SIZE);
    IntByReference outSize = new IntByReference(RESPONSE_BUFFER_SIZE);
    timedOut = false;
    CompletableFuture<Void> canceller =
        CompletableFuture.runAsync(
            this::cancelOnTimeout,
            CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS));
    try {
      in.write(0, command, 0, command.length);
      int result =
          tbs.Tbsip_Submit_Command(
              context,
              Tbs.TBS_COMMAND_LOCALITY_ZERO,
              Tbs.TBS_COMMAND_PRIORITY_NORMAL,
              in,
              command.length,
              out,
              outSize);
      canceller.cancel(false);
      if (result != Tbs.TBS_SUCCESS) {
        if (timedOut) {
          throw CommandTimeouts.timedOut(
              "tbs:", command, wait, "TBS cancelled it with " + TbsResult.hex(result),
              TbsResult.toException("Tbsip_Submit_Command", result));
        }
        throw TbsResult.toException("Tbsip_Submit_Command", result);
      }
      int size = outSize.getValue();
      if (size < FdTransport.HEADER_SIZE || size > RESPONSE_BUFFER_SIZE) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT,
            "TBS returned a malformed TPM response of " + size + " bytes; check the TPM in tpm.msc.");
      }
      return out.getByteArray(0, size);
    } finally {
      canceller.cancel(false);
      in.clear();
      in.close();
      out.clear();
      out.close();
    }
  }

  private void cancelOnTimeout() {
    synchronized (closeLock) {
      if (!closed) {
        timedOut = true;
        tbs.Tbsip_Cancel_Commands(context);
      }
    }
  }

  @Override
  public String describe() {
    return "tbs:";
  }

  @Override
  public void close() {
    synchronized (closeLock) {
      if (!closed) {
        closed = true;
        tbs.Tbsip_Context_Close(context);
      }
    }
  }

  @Override
  public String toString() {
    return "TbsTransport[tbs:]";
  }
}
