package dev.keytrust.tpm;

import dev.keytrust.error.KeytrustException;
import java.time.Duration;

/**
 * Service-provider interface: opens a {@link TpmTransport} for a {@link TpmUri} scheme. tpm-core
 * provides {@code mssim} and {@code unix}; the {@code native} module adds {@code device} and
 * {@code tbs}. Providers are found with {@link java.util.ServiceLoader}.
 */
public interface TpmTransportProvider {

  /** The URI scheme this provider opens, e.g. {@code device}. */
  String scheme();

  /**
   * Opens and connects a transport.
   *
   * @param uri the parsed TPM URI whose {@link TpmUri#scheme()} equals {@link #scheme()}
   * @param ioTimeout the longest a single command may take before the transport gives up
   */
  TpmTransport open(TpmUri uri, Duration ioTimeout) throws KeytrustException;
}
