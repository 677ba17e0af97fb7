package dev.keytrust.bench;

import dev.keytrust.error.KeytrustException;
import tss.TpmDevice;

/**
 * A TSS.Java device that sends TSS.Java's command bytes through a {@link CommandRecorder}'s raw
 * path, so that a benchmark can drive TSS.Java directly on the connection a {@link
 * dev.keytrust.tpm.TpmSession} already holds (swtpm serves one client). No retries, no error
 * mapping: what is left is TSS.Java's marshalling and password session.
 */
final class RawTssDevice extends TpmDevice {
  private final CommandRecorder link;
  private byte[] pending;
  private volatile byte[] last;

  RawTssDevice(CommandRecorder link) {
    this.link = link;
  }

  /** The bytes of the last command TSS.Java sent through this device. */
  byte[] lastCommand() {
    return last.clone();
  }

  @Override
  public boolean connect() {
    return true;
  }

  @Override
  public void close() {
    // the connection belongs to the fixture
  }

  @Override
  public void dispatchCommand(byte[] command) {
    pending = command;
  }

  @Override
  public boolean responseReady() {
    return true;
  }

  @Override
  public byte[] getResponse() {
    byte[] command = pending;
    pending = null;
    last = command;
    try {
      return link.raw(command);
    } catch (KeytrustException e) {
      throw new IllegalStateException("the TPM command failed on the wire: " + e.getMessage(), e);
    }
  }
}
