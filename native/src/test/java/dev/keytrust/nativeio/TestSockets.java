package dev.keytrust.nativeio;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/** Raw Linux sockets through JNA, so tests get descriptors the transport can use directly. */
final class TestSockets {
  static final int AF_UNIX = 1;
  static final int AF_INET = 2;
  static final int SOCK_STREAM = 1;
  static final int SOCK_NONBLOCK = 0x800;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int F_GETFL = 3;
  static final int F_SETFL = 4;

  interface SocketLib extends Library {
    int socketpair(int domain, int type, int protocol, int[] fds);

    int socket(int domain, int type, int protocol);

    int bind(int fd, Pointer address, int length);

    int listen(int fd, int backlog);

    int getsockname(int fd, Pointer address, IntByReference length);

    int accept4(int fd, Pointer address, Pointer length, int flags);

    int fcntl(int fd, int command, int argument);
  }

  static final SocketLib SOCKETS = Native.load("c", SocketLib.class);

  private TestSockets() {}

  static LibC libc() throws Exception {
    return LinuxLibC.get();
  }

  /** A connected AF_UNIX stream pair: [0] non-blocking (the transport's end), [1] blocking. */
  static int[] socketPair() {
    int[] fds = new int[2];
    check(SOCKETS.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), "socketpair");
    int flags = SOCKETS.fcntl(fds[0], F_GETFL, 0);
    check(flags, "fcntl(F_GETFL)");
    check(SOCKETS.fcntl(fds[0], F_SETFL, flags | LibC.O_NONBLOCK), "fcntl(F_SETFL)");
    return fds;
  }

  /** A TCP listener on 127.0.0.1, on a free port chosen by the kernel; returns {fd, port}. */
  static int[] listenLoopback() {
    int fd = SOCKETS.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    check(fd, "socket");
    Memory addr = new Memory(16);
    addr.clear();
    addr.setShort(0, (short) AF_INET); // sa_family in host order; port 0 = any free port
    addr.write(4, new byte[] {127, 0, 0, 1}, 0, 4);
    check(SOCKETS.bind(fd, addr, 16), "bind");
    check(SOCKETS.listen(fd, 1), "listen");
    IntByReference len = new IntByReference(16);
    check(SOCKETS.getsockname(fd, addr, len), "getsockname");
    int port = ((addr.getByte(2) & 0xFF) << 8) | (addr.getByte(3) & 0xFF);
    return new int[] {fd, port};
  }

  /** Accepts one connection as a non-blocking descriptor, or -1 when none came in time. */
  static int accept(int listener, int timeoutMillis) throws Exception {
    LibC.PollFd pfd = new LibC.PollFd(listener, LibC.POLLIN);
    int r = libc().poll(pfd, new NativeLong(1), timeoutMillis);
    check(r, "poll");
    if (r == 0) {
      return -1;
    }
    int fd = SOCKETS.accept4(listener, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(fd, "accept4");
    return fd;
  }

  /** Blocking read of exactly {@code n} bytes, or fewer at end of stream. */
  static byte[] readBlocking(int fd, int n) throws Exception {
    Memory m = new Memory(n);
    int have = 0;
    while (have < n) {
      long r = libc().read(fd, m.share(have), new NativeLong(n - have)).longValue();
      check((int) r, "read");
      if (r == 0) {
        break;
      }
      have += (int) r;
    }
    return m.getByteArray(0, have);
  }

  /** Blocking write of all of {@code data}. */
  static void writeBlocking(int fd, byte[] data) throws Exception {
    Memory m = new Memory(data.length);
    m.write(0, data, 0, data.length);
    int done = 0;
    while (done < data.length) {
      long r = libc().write(fd, m.share(done), new NativeLong(data.length - done)).longValue();
      check((int) r, "write");
      done += (int) r;
    }
  }

  static void close(int fd) throws Exception {
    if (fd >= 0) {
      libc().close(fd);
    }
  }

  private static void check(int result, String call) {
    assertThat(result).as(call + " failed, errno " + Native.getLastError()).isGreaterThanOrEqualTo(0);
  }
}
