package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * Opens the transport a {@link TpmUri} names: {@code mssim} and {@code unix} are built in; other
 * schemes ({@code device}, {@code tbs} from the {@code native} module) come from
 * {@link TpmTransportProvider} services.
 */
public final class TpmTransports {
  /** The default I/O timeout: generous for RSA key generation on slow hardware TPMs. */
  public static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(120);

  private TpmTransports() {}

  /** Opens the transport {@code uri} names; {@code auto} is first {@link #resolve resolved}. */
  public static TpmTransport open(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    if (uri.isAuto()) {
      uri = resolve(uri);
    }
    switch (uri.scheme()) {
      case TpmUri.MSSIM:
        return MssimTransport.connect(uri, ioTimeout);
      case TpmUri.UNIX:
        return UnixSocketTransport.connect(uri, ioTimeout);
      case TpmUri.SOFTWARE:
        throw new KeytrustException(
            CoreErrorCode.INVALID_ARGUMENT, "'software' names the software key provider, not a TPM: there is no TPM to open.");
      default:
        for (TpmTransportProvider p : ServiceLoader.load(TpmTransportProvider.class)) {
          if (p.scheme().equals(uri.scheme())) {
            return p.open(uri, ioTimeout);
          }
        }
        throw new KeytrustException(
            CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
            "No transport for '" + uri.scheme() + ":' is installed: add the keytrust-native module to the class path.");
    }
  }

  /**
   * The concrete TPM behind {@code uri}: for {@code auto}, {@link TpmDiscovery#chooseAuto()} on
   * Linux and {@code tbs:} on Windows; any other URI is returned as it is.
   */
  public static TpmUri resolve(TpmUri uri) throws KeytrustException {
    return resolve(uri, System.getProperty("os.name", ""), TpmDiscovery.system());
  }

  static TpmUri resolve(TpmUri uri, String osName, TpmDiscovery linux) throws KeytrustException {
    if (!uri.isAuto()) {
      return uri;
    }
    String os = osName.toLowerCase(java.util.Locale.ROOT);
    if (os.startsWith("linux")) {
      return linux.chooseAuto();
    }
    if (os.startsWith("windows")) {
      return TpmUri.parse(TpmUri.TBS);
    }
    throw new KeytrustException(
        CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
        "The TPM URI 'auto' finds TPMs on Linux and Windows only, and this OS is " + osName
            + ": name the TPM with mssim://HOST:PORT or unix:PATH, or use 'software' keys.");
  }
}
