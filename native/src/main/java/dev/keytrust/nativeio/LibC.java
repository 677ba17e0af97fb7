package dev.keytrust.nativeio;

import com.sun.jna.Library;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * The few Linux libc calls keytrust needs. Obtain it through {@link LinuxLibC#get()}, which loads
 * it on first use: never from a static field initializer, so that loading a class of this module
 * on Windows does not fail.
 *
 * <p>Functions return -1 on failure; the errno is then {@link com.sun.jna.Native#getLastError()}.
 * The constants are the Linux generic values (x86_64 and aarch64).
 */
interface LibC extends Library {

  int O_RDWR = 0x2;
  int O_NONBLOCK = 0x800;
  int O_CLOEXEC = 0x80000;

  short POLLIN = 0x1;
  short POLLOUT = 0x4;
  short POLLERR = 0x8;
  short POLLHUP = 0x10;
  short POLLNVAL = 0x20;

  int EPERM = 1;
  int ENOENT = 2;
  int EINTR = 4;
  int ENXIO = 6;
  int EAGAIN = 11;
  int EACCES = 13;
  int EBUSY = 16;
  int ENODEV = 19;

  int MADV_DONTDUMP = 16;
  int MADV_DODUMP = 17;

  int open(String path, int flags);

  int close(int fd);

  NativeLong read(int fd, Pointer buffer, NativeLong count);

  NativeLong write(int fd, Pointer buffer, NativeLong count);

  int poll(PollFd fds, NativeLong nfds, int timeoutMillis);

  String strerror(int errno);

  int mlock(Pointer address, NativeLong length);

  int munlock(Pointer address, NativeLong length);

  int madvise(Pointer address, NativeLong length, int advice);

  int getpagesize();

  /** {@code struct pollfd} from {@code <poll.h>}. */
  @FieldOrder({"fd", "events", "revents"})
  final class PollFd extends Structure {
    public int fd;
    public short events;
    public short revents;

    public PollFd() {
      super();
    }

    PollFd(int fd, short events) {
      this.fd = fd;
      this.events = events;
    }
  }
}
