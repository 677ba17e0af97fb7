package dev.keytrust.sim;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import dev.keytrust.lab.SwtpmExtension;
import dev.keytrust.tpm.TpmSession;
import dev.keytrust.tpm.TpmTransports;
import dev.keytrust.tpm.TpmUri;
import dev.keytrust.tpm.session.ParentKey;
import dev.keytrust.tpm.session.SessionOperations;
import dev.keytrust.tpm.session.TransportChannel;

/**
 * One Java connection to a test's swtpm, shared by a {@link TpmSession} (SRKs, dictionary-attack
 * settings, the password-session path) and the session layer's {@link SessionOperations}, all
 * through one {@link RecordingTransport}. swtpm serves one client at a time: close it before
 * running tpm2-tools.
 */
final class SessionConnection implements AutoCloseable {
  final RecordingTransport wire;
  final TpmSession session;
  final TransportChannel channel;
  final SessionOperations ops;

  private SessionConnection(RecordingTransport wire, TpmSession session) {
    this.wire = wire;
    this.session = session;
    this.channel = new TransportChannel(wire);
    this.ops = new SessionOperations(channel);
  }

  static SessionConnection open(SwtpmExtension swtpm) throws KeytrustException {
    RecordingTransport wire = new RecordingTransport(
        TpmTransports.open(TpmUri.parse(swtpm.swtpm().tpmUri()), TpmTransports.DEFAULT_IO_TIMEOUT));
    return new SessionConnection(wire, TpmSession.open(wire, true));
  }

  /** keytrust's SRK for {@code alg} (created from the TCG template if missing), as a ParentKey. */
  ParentKey srk(KeyAlgorithm alg) throws KeytrustException {
    TpmSession.StorageRootKey k = session.storageRootKey(alg.tpmKeyType());
    return new ParentKey(k.handle(), k.name());
  }

  @Override
  public void close() {
    session.close();
  }
}
