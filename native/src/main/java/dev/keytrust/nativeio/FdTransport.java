package dev.keytrust.nativeio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.CommandTimeouts;
import dev.keytrust.tpm.TpmTransport;
import java.time.Duration;
import java.util.Objects;

/**
 * A TPM command stream over one open file descriptor: a kernel TPM device, or in tests one end of
 * a socket. Each {@link #transmit} writes the whole command, then reads the response header (10
 * bytes, size big-endian at offset 2) and the rest, looping on short reads and EINTR. Every read
 * waits first in {@code poll()}, and all waits of one call together take at most the command's
 * timeout ({@link #transmit(byte[], Duration)}), never more than the I/O timeout.
 *
 * <p>The descriptor should be non-blocking: a kernel TPM device opened with {@code O_NONBLOCK}
 * queues the command at {@code write()} and signals {@code POLLIN} when the response is ready, so
 * the timeout also covers the TPM's own run time. A blocking descriptor works too, but a kernel
 * TPM device then runs the command inside {@code write()}, beyond the timeout's reach.
 *
 * <p>A timeout only stops keytrust waiting: the kernel cannot cancel a command the TPM is running,
 * and it waits for the TPM (up to its own per-command limit) before it releases the descriptor, so
 * {@code close()} after a timeout would block as long. {@link #close()} therefore hands the
 * descriptor of a timed-out transport to a daemon thread to close, and the error is reported at
 * once; the process may still wait for the kernel when it exits.
 *
 * <p>Native buffers that carried a command or a response (which can hold auth values) are zeroed
 * and freed after each call. After any I/O failure the stream position is unknown (a late
 * response could be taken for the next one), so the transport refuses further use.
 */
final class FdTransport implements TpmTransport {

  /** Largest response accepted: the Linux kernel's TPM_BUFSIZE and swtpm's buffer. */
  static final int MAX_RESPONSE_SIZE = 4096;

  static final int HEADER_SIZE = 10;

  private final LibC libc;
  private final String description;
  private final Duration ioTimeout;
  private int fd;
  private String unusable;
  private boolean timedOut;

  /**
   * Takes ownership of {@code fd}: {@link #close()} closes it.
   *
   * @param description what the descriptor is, for messages, e.g. {@code device:/dev/tpmrm0}
   * @param ioTimeout the longest one {@link #transmit} may wait in {@code poll()}, positive
   */
  FdTransport(LibC libc, int fd, String description, Duration ioTimeout) {
    this.libc = Objects.requireNonNull(libc, "libc");
    this.description = Objects.requireNonNull(description, "description");
    this.ioTimeout = Objects.requireNonNull(ioTimeout, "ioTimeout");
    if (fd < 0) {
      throw new IllegalArgumentException("fd must be >= 0, got " + fd);
    }
    if (ioTimeout.isNegative() || ioTimeout.isZero()) {
      throw new IllegalArgumentException("ioTimeout must be positive, got " + ioTimeout);
    }
    this.fd = fd;
  }

  @Override
  public byte[] transmit(byte[] command) throws KeytrustException {
    return transmit(command, ioTimeout);
  }

  @Override
  public byte[] transmit(byte[] command, Duration timeout) throws KeytrustException {
    checkCommand(command);
    if (fd < 0) {
      throw new KeytrustException(
          CoreErrorCode.TPM_TRANSPORT, "The TPM transport " + description + " is closed; open a new one.");
    }
    if (unusable != null) {
      throw new KeytrustException(
          CoreErrorCode.TPM_TRANSPORT,
          "The TPM transport " + description + " is unusable after an earlier failure (" + unusable
              + "); close it and open a new one.");
    }
    Duration wait = timeout == null || timeout.compareTo(ioTimeout) > 0 || timeout.isNegative() || timeout.isZero()
        ? ioTimeout : timeout;
    long deadline = System.nanoTime() + wait.toNanos();
    Memory out = new Memory(command.length);
    Memory in = new Memory(MAX_RESPONSE_SIZE);
    try {
      out.write(0, command, 0, command.length);
      writeFully(out, command.length, deadline);
      int size = readResponse(in, deadline);
      return in.getByteArray(0, size);
    } catch (Timeout t) {
      timedOut = true;
      KeytrustException e = CommandTimeouts.timedOut(description, command, wait, t.what, null);
      unusable = e.getMessage();
      throw e;
    } catch (KeytrustException e) {
      unusable = e.getMessage();
      throw e;
    } finally {
      out.clear();
      out.close();
      in.clear();
      in.close();
    }
  }

  /** Rejects a buffer that is not one marshalled command: a caller bug, not a TPM failure. */
  static void checkCommand(byte[] command) {
    Objects.requireNonNull(command, "command");
    if (command.length < HEADER_SIZE || headerSize(command) != command.length) {
      throw new KeytrustBugException(
          "Not a marshalled TPM command: " + command.length + " bytes, header size "
              + (command.length < HEADER_SIZE ? "missing" : Long.toString(headerSize(command))));
    }
  }

  private static long headerSize(byte[] b) {
    return ((b[2] & 0xFFL) << 24) | ((b[3] & 0xFFL) << 16) | ((b[4] & 0xFFL) << 8) | (b[5] & 0xFFL);
  }

  /** The deadline passed; {@link #transmit} turns it into the error that names the command. */
  private static final class Timeout extends Exception {
    private static final long serialVersionUID = 1L;
    final String what;

    Timeout(String what) {
      super(what, null, false, false);
      this.what = what;
    }
  }

  private void writeFully(Memory out, int length, long deadline) throws KeytrustException, Timeout {
    int done = 0;
    while (done < length) {
      long n = libc.write(fd, out.share(done), new NativeLong(length - done)).longValue();
      if (n > 0) {
        done += (int) n;
        continue;
      }
      int errno = Native.getLastError();
      if (n < 0 && errno == LibC.EINTR) {
        continue;
      }
      if (n < 0 && errno == LibC.EAGAIN) {
        awaitReady(LibC.POLLOUT, deadline, "writing the command");
        continue;
      }
      throw ioFailure("write()", n == 0 ? 0 : errno);
    }
  }

  /** Reads one response into {@code in}; returns its size taken from the header. */
  private int readResponse(Memory in, long deadline) throws KeytrustException, Timeout {
    int have = 0;
    long expected = -1;
    while (expected < 0 || have < expected) {
      // Ask for everything that fits: kernels before 4.20 return a response in one read() only.
      awaitReady(LibC.POLLIN, deadline, have == 0 ? "waiting for the response" : "reading it");
      long want = (expected < 0 ? MAX_RESPONSE_SIZE : expected) - have;
      long n = libc.read(fd, in.share(have), new NativeLong(want)).longValue();
      if (n > 0) {
        have += (int) n;
        if (expected < 0 && have >= HEADER_SIZE) {
          expected = sizeField(in);
          checkResponseSize(expected, have);
        }
        continue;
      }
      if (n == 0) {
        throw new KeytrustException(
            CoreErrorCode.TPM_TRANSPORT,
            "The TPM at " + description + " closed the connection after " + have
                + " response bytes: the TPM or simulator stopped; check it and reconnect.");
      }
      int errno = Native.getLastError();
      if (errno == LibC.EINTR || errno == LibC.EAGAIN) {
        continue;
      }
      throw ioFailure("read()", errno);
    }
    return (int) expected;
  }

  /** The header's big-endian size field at offset 2. */
  private static long sizeField(Memory in) {
    long size = 0;
    for (int i = 2; i < 6; i++) {
      size = (size << 8) | (in.getByte(i) & 0xFFL);
    }
    return size;
  }

  private void checkResponseSize(long expected, int have) throws KeytrustException {
    if (expected < HEADER_SIZE || expected > MAX_RESPONSE_SIZE || have > expected) {
      throw new KeytrustException(
          CoreErrorCode.TPM_TRANSPORT,
          "The TPM at " + description + " sent a malformed response: header size " + expected
              + " (must be " + HEADER_SIZE + ".." + MAX_RESPONSE_SIZE + "), " + have
              + " bytes received; this is not a TPM 2.0 command stream.");
    }
  }

  /** Polls until {@code events} is ready, EINTR-safe, within the deadline. */
  private void awaitReady(short events, long deadline, String what) throws KeytrustException, Timeout {
    LibC.PollFd pfd = new LibC.PollFd(fd, events);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new Timeout(what);
      }
      int millis = (int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000);
      pfd.revents = 0;
      int r = libc.poll(pfd, new NativeLong(1), millis);
      if (r > 0) {
        pfd.read();
        if ((pfd.revents & events) != 0) {
          return;
        }
        if ((pfd.revents & LibC.POLLNVAL) != 0) {
          throw new KeytrustException(
              CoreErrorCode.TPM_TRANSPORT, "poll() on " + description + ": the descriptor is not open.");
        }
        if ((pfd.revents & (LibC.POLLERR | LibC.POLLHUP)) != 0) {
          throw new KeytrustException(
              CoreErrorCode.TPM_TRANSPORT,
              "The TPM at " + description + " reported an error or hang-up while " + what
                  + " (poll revents 0x" + Integer.toHexString(pfd.revents & 0xFFFF)
                  + "): the TPM or simulator went away; check it and reconnect.");
        }
        continue;
      }
      if (r == 0) {
        continue; // the loop head decides whether time is up
      }
      int errno = Native.getLastError();
      if (errno != LibC.EINTR) {
        throw ioFailure("poll()", errno);
      }
    }
  }

  private KeytrustException ioFailure(String call, int errno) {
    String why = errno == 0 ? "it wrote nothing" : LinuxLibC.describe(libc, errno);
    return new KeytrustException(
        CoreErrorCode.TPM_TRANSPORT,
        call + " on " + description + " failed: " + why + "; check the TPM and reconnect.",
        errno == 0 ? null : new LastErrorException(errno));
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    if (fd >= 0) {
      int old = fd;
      fd = -1;
      // never retry close() on EINTR: on Linux the descriptor is released anyway
      if (!timedOut) {
        libc.close(old);
        return;
      }
      // the kernel waits for the stalled command before it releases the descriptor: not here
      Thread closer = new Thread(() -> libc.close(old), "keytrust-tpm-close");
      closer.setDaemon(true);
      closer.start();
    }
  }

  @Override
  public String toString() {
    return "FdTransport[" + description + "]";
  }
}
