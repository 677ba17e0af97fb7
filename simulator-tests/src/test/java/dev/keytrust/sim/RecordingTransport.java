package dev.keytrust.sim;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmTransport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What an attacker on the TPM's bus or socket sees and can do: a {@link TpmTransport} wrapper
 * that keeps a copy of every command and response byte while recording, and can change one
 * response to a chosen command before keytrust receives it.
 */
final class RecordingTransport implements TpmTransport {
  /** One exchange on the wire; {@code response} is what the TPM sent, before any tampering. */
  record Exchange(byte[] command, byte[] response) {
    int commandCode() {
      return ByteBuffer.wrap(command, 6, 4).getInt();
    }

    int responseCode() {
      return ByteBuffer.wrap(response, 6, 4).getInt();
    }

    int tag() {
      return ByteBuffer.wrap(command, 0, 2).getShort() & 0xFFFF;
    }
  }

  private final TpmTransport delegate;
  private final List<Exchange> exchanges = new ArrayList<>();
  private boolean recording;
  private int tamperCode = -1;
  private UnaryOperator<byte[]> tamper;
  private int tampered;

  RecordingTransport(TpmTransport delegate) {
    this.delegate = delegate;
  }

  /** Starts recording, dropping any earlier recording. */
  synchronized void start() {
    exchanges.clear();
    recording = true;
  }

  /** Stops and returns what was exchanged since {@link #start()}. */
  synchronized List<Exchange> stop() {
    recording = false;
    return List.copyOf(exchanges);
  }

  /** Passes the next successful response to {@code commandCode} through {@code change} (given a copy) once. */
  synchronized void tamperOnce(int commandCode, UnaryOperator<byte[]> change) {
    tamperCode = commandCode;
    tamper = change;
  }

  /** How many responses were changed so far. */
  synchronized int tampered() {
    return tampered;
  }

  @Override
  public synchronized byte[] transmit(byte[] command) throws KeytrustException {
    byte[] sent = command.clone(); // keytrust may zero its command buffer after sending
    byte[] response = delegate.transmit(command);
    if (recording) {
      exchanges.add(new Exchange(sent, response.clone()));
    }
    boolean success = response.length >= 10 && ByteBuffer.wrap(response, 6, 4).getInt() == 0;
    if (tamper != null && success && ByteBuffer.wrap(sent, 6, 4).getInt() == tamperCode) {
      UnaryOperator<byte[]> change = tamper;
      tamper = null;
      tampered++;
      return change.apply(response.clone());
    }
    return response;
  }

  @Override
  public String describe() {
    return "recording " + delegate.describe();
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** Flips every bit of one byte. */
  static UnaryOperator<byte[]> flipByteAt(int index) {
    return r -> {
      r[index < 0 ? r.length + index : index] ^= (byte) 0xFF;
      return r;
    };
  }
}
