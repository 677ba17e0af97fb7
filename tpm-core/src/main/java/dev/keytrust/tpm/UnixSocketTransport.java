package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The raw TPM command stream over a Unix socket (swtpm {@code --server type=unixio}): the command
 * bytes unchanged, answered by the response bytes. A blocking SocketChannel has no read timeout,
 * so each exchange runs on a private I/O thread and is abandoned (and the socket closed) when it
 * takes longer than its command's timeout.
 */
final class UnixSocketTransport extends StreamTransport {
  private final SocketChannel channel;
  private final ExecutorService io;

  private UnixSocketTransport(String description, SocketChannel channel, Duration ioTimeout) {
    super(description, ioTimeout);
    this.channel = channel;
    this.io =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "keytrust-tpm-unix-io");
              t.setDaemon(true);
              return t;
            });
  }

  static UnixSocketTransport connect(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    Path path = Path.of(uri.path());
    if (!Files.exists(path)) {
      throw new KeytrustException(
          CoreErrorCode.TPM_UNREACHABLE,
          "No TPM socket at " + path + ". Start the simulator with --server type=unixio,path=" + path + ".");
    }
    try {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(path));
      return new UnixSocketTransport(uri.toString(), ch, ioTimeout);
    } catch (IOException e) {
      throw new KeytrustException(
          CoreErrorCode.TPM_UNREACHABLE, "Cannot connect to the TPM socket " + path + ": " + e.getMessage() + ".", e);
    }
  }

  @Override
  public byte[] transmit(byte[] command, Duration timeout) throws KeytrustException {
    checkUsable();
    Duration wait = effectiveTimeout(timeout);
    Future<byte[]> exchange =
        io.submit(
            () -> {
              writeAll(command);
              return readTpmResponse();
            });
    try {
      return exchange.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw timedOut(command, wait, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.cancel(true);
      close();
      throw failure("interrupted while waiting for the TPM", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof KeytrustException k) {
        throw k;
      }
      if (c instanceof IOException io) {
        throw ioFailure(io);
      }
      throw failure(String.valueOf(c), c);
    }
  }

  @Override
  void readFully(byte[] into, int off, int n) throws IOException {
    readChannelFully(channel, into, off, n);
  }

  @Override
  void writeAll(byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(data);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  @Override
  public void close() {
    io.shutdownNow();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a channel we own; nothing to report
    }
  }
}
