package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TpmTransport} around keytrust's own socket transport that can record the command bytes
 * TSS.Java marshals (and the response codes) and send command bytes directly ({@link #raw}): the
 * "raw" side of the stack-against-raw comparisons. Recording is off unless {@link #startRecording()}
 * was called, so a measured operation pays one volatile read for it.
 *
 * <p>Recorded commands hold auth values in their password sessions (the benchmark's test PINs'
 * derived values); they live in the benchmark JVM only and are never written anywhere.
 */
final class CommandRecorder implements TpmTransport {
  /** One command as sent and the response code it got. */
  record Exchange(byte[] command, int responseCode) {
    int commandCode() {
      return ByteBuffer.wrap(command, 6, 4).getInt();
    }
  }

  private final TpmTransport delegate;
  private volatile List<Exchange> recording;

  CommandRecorder(TpmTransport delegate) {
    this.delegate = delegate;
  }

  /** Starts a new recording, dropping any earlier one. */
  void startRecording() {
    recording = new ArrayList<>();
  }

  /** TPM_RC_RETRY, TPM_RC_YIELDED, TPM_RC_TESTING: keytrust sends the same command again. */
  static boolean transientCode(int rc) {
    return rc == 0x922 || rc == 0x908 || rc == 0x90A;
  }

  /**
   * Stops recording and returns what was sent since {@link #startRecording()}, without the
   * exchanges the TPM answered with a transient code (keytrust sent the same command again).
   */
  List<Exchange> stopRecording() {
    List<Exchange> r = recording;
    recording = null;
    return r == null ? List.of() : r.stream().filter(e -> !transientCode(e.responseCode())).toList();
  }

  @Override
  public byte[] transmit(byte[] command) throws KeytrustException {
    byte[] response = delegate.transmit(command);
    List<Exchange> r = recording;
    if (r != null) {
      r.add(new Exchange(command.clone(), responseCode(response)));
    }
    return response;
  }

  /** Sends {@code command} as it is, without TSS.Java, and returns the response bytes. */
  byte[] raw(byte[] command) throws KeytrustException {
    return delegate.transmit(command);
  }

  /** The response code of a TPM response (bytes 6 to 9). */
  static int responseCode(byte[] response) {
    return ByteBuffer.wrap(response, 6, 4).getInt();
  }

  /**
   * Sends recorded commands again in order and checks that each gets the response code it got when
   * recorded (so a replay that goes wrong is noticed in the set-up, not measured).
   */
  void replayChecked(List<Exchange> exchanges) throws KeytrustException {
    for (Exchange e : exchanges) {
      int rc = responseCode(raw(e.command()));
      for (int i = 0; i < 10 && transientCode(rc); i++) {
        rc = responseCode(raw(e.command()));
      }
      if (rc != e.responseCode()) {
        throw new IllegalStateException(String.format(
            "replaying command 0x%08X gave response code 0x%08X, recorded 0x%08X", e.commandCode(), rc,
            e.responseCode()));
      }
    }
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
