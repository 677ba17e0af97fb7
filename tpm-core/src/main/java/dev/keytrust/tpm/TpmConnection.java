package dev.keytrust.tpm;

import dev.keytrust.error.KeytrustException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import tss.Tpm;

/**
 * What the {@link TpmSession}s over one transport share: TSS.Java's {@code Tpm} on a {@link
 * TransportDevice}, and the lock that runs their commands one at a time.
 *
 * <p>A simulator ({@code mssim:}, {@code unix:}: swtpm and the MS/IBM simulators) serves one client
 * connection at a time and leaves any other waiting unanswered, and it has no resource manager. So
 * all sessions this JVM opens on the same simulator URI share one connection ({@link #shared}):
 * the first opens it (TPM2_Startup if needed, leftovers flushed), later ones join it, and the last one to
 * close closes it. A connection that failed is not joined again: the next session opens a new one.
 * Every other transport ({@code device:/dev/tpmrm0} and TBS, which have a resource manager, or a
 * transport the caller built) has one connection per session.
 */
final class TpmConnection {
  /** The shared simulator connections of this JVM, by URI. A slot's monitor guards its connection. */
  private static final ConcurrentMap<String, Slot> SIMULATORS = new ConcurrentHashMap<>();

  private static final class Slot {
    private TpmConnection connection;
  }

  /** Opens a session on a new connection. */
  @FunctionalInterface
  interface Opener {
    TpmSession open() throws KeytrustException;
  }

  /** Makes a session on a connection that is open already. */
  @FunctionalInterface
  interface Joiner {
    TpmSession join(TpmConnection connection);
  }

  final ReentrantLock lock = new ReentrantLock();
  final Tpm tpm;
  final TransportDevice device;
  private volatile Slot slot; // null while not shared
  private int sessions = 1; // guarded by slot's monitor when shared
  private CommandTimeouts timeouts; // guarded by lock: the timeouts the device and transport have now

  TpmConnection(TransportDevice device, CommandTimeouts timeouts) {
    this.device = device;
    this.timeouts = timeouts;
    this.tpm = new Tpm();
    this.tpm._setDevice(device);
  }

  /** Whether sessions on {@code uri} share one connection: a simulator's URI. */
  static boolean isShared(TpmUri uri) {
    return uri.scheme().equals(TpmUri.MSSIM) || uri.scheme().equals(TpmUri.UNIX);
  }

  /**
   * A session on the connection this JVM has to the simulator {@code uri} names: {@code join}ed to
   * the open one, or {@code open}ed on a new one when there is none or it failed. Opening holds only
   * this URI's slot, so a slow simulator never delays sessions on another.
   */
  static TpmSession shared(TpmUri uri, Opener open, Joiner join) throws KeytrustException {
    Slot slot = SIMULATORS.computeIfAbsent(uri.toString(), k -> new Slot());
    synchronized (slot) {
      TpmConnection current = slot.connection;
      if (current != null && current.usable()) {
        current.sessions++;
        return join.join(current);
      }
      TpmSession session = open.open();
      TpmConnection created = session.connection();
      created.slot = slot;
      slot.connection = created;
      return session;
    }
  }

  /** False once the transport failed (a broken stream is closed and stays so). */
  private boolean usable() {
    return !(device.transport() instanceof StreamTransport st) || !st.isBroken();
  }

  /**
   * Gives the device and the transport the command timeouts of the session about to send commands
   * (sessions sharing a connection may have been opened with different ones): each command's own
   * timeout, and the transport's I/O timeout (the ceiling) the longest of them. The caller holds
   * {@link #lock}.
   */
  void useTimeouts(CommandTimeouts wanted) {
    if (wanted.equals(timeouts)) {
      return;
    }
    device.useTimeouts(wanted);
    if (device.transport() instanceof StreamTransport st) {
      st.setIoTimeout(wanted.longest());
    }
    timeouts = wanted;
  }

  /** One session is done with this connection; the last one closes it. */
  void release() {
    Slot s = slot;
    if (s == null) {
      close();
      return;
    }
    synchronized (s) {
      if (--sessions > 0) {
        return;
      }
      if (s.connection == this) {
        s.connection = null;
      }
      close(); // before another session may open a new connection, which the simulator would not serve
    }
  }

  private void close() {
    lock.lock();
    try {
      device.close();
    } finally {
      lock.unlock();
    }
  }
}
