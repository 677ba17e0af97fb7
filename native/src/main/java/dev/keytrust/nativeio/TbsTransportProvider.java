package dev.keytrust.nativeio;

import com.sun.jna.Native;
import com.sun.jna.ptr.PointerByReference;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.tpm.TpmTransport;
import dev.keytrust.tpm.TpmTransportProvider;
import dev.keytrust.tpm.TpmUri;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@code tbs:}: the TPM 2.0 through the Windows TPM Base Services ({@code tbs.dll}), which
 * is also Windows' resource manager. Checks with {@code Tbsi_GetDeviceInfo} that the TPM is a
 * TPM 2.0 ({@code TPM_VERSION_UNSUPPORTED} otherwise), creates a {@code TBS_CONTEXT_PARAMS2}
 * version 2 context with {@code includeTpm20} and submits commands at locality 0, normal priority.
 *
 * <p>Only the OS check, the result mapping and these steps against a stand-in for {@code tbs.dll}
 * are tested off Windows; the real calls run only on Windows.
 *
 * <p>TBS result codes become errors carrying the code name and hex value: a missing TPM or a
 * stopped service is {@code TPM_UNREACHABLE}, too many contexts {@code TPM_BUSY}, the rest {@code
 * TPM_TRANSPORT}. On any OS but Windows, {@code open} fails with {@code TPM_PLATFORM_UNSUPPORTED}
 * before touching JNA.
 */
public final class TbsTransportProvider implements TpmTransportProvider {
  private static final Logger LOG = LoggerFactory.getLogger(TbsTransportProvider.class);

  /** Used by {@link java.util.ServiceLoader}. */
  public TbsTransportProvider() {}

  @Override
  public String scheme() {
    return TpmUri.TBS;
  }

  @Override
  public TpmTransport open(TpmUri uri, Duration ioTimeout) throws KeytrustException {
    if (!TpmUri.TBS.equals(uri.scheme())) {
      throw new KeytrustBugException("TbsTransportProvider asked to open " + uri);
    }
    if (ioTimeout == null || ioTimeout.isNegative() || ioTimeout.isZero()) {
      throw new KeytrustException(
          CoreErrorCode.INVALID_ARGUMENT, "The TPM I/O timeout must be positive, got " + ioTimeout + ".");
    }
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
      throw new KeytrustException(
          CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
          "tbs: is the Windows TPM Base Services and this OS is " + os
              + "; on this OS use device:/dev/tpmrm0 or mssim://HOST:PORT.");
    }
    return open(load(), ioTimeout);
  }

  /**
   * Checks with {@code Tbsi_GetDeviceInfo} that Windows has a TPM 2.0, then creates the context.
   * Separate from {@link #open(TpmUri, Duration)} so the checks run against a stand-in off Windows.
   */
  static TbsTransport open(Tbs tbs, Duration ioTimeout) throws KeytrustException {
    Tbs.TpmDeviceInfo info = new Tbs.TpmDeviceInfo();
    int result = tbs.Tbsi_GetDeviceInfo(info.size(), info);
    if (result != Tbs.TBS_SUCCESS) {
      throw TbsResult.toException("Tbsi_GetDeviceInfo", result);
    }
    info.read();
    if (info.tpmVersion != Tbs.TPM_VERSION_20) {
      throw new KeytrustException(
          CoreErrorCode.TPM_VERSION_UNSUPPORTED,
          "Windows reports a TPM " + info.versionName() + " (Tbsi_GetDeviceInfo) and keytrust needs"
              + " a TPM 2.0: update the TPM firmware to 2.0 if its maker offers it (check tpm.msc),"
              + " or use 'software' keys.");
    }
    LOG.debug("TBS: TPM {} ({} interface)", info.versionName(), info.interfaceName());
    PointerByReference context = new PointerByReference();
    result = tbs.Tbsi_Context_Create(Tbs.TbsContextParams2.tpm20(), context);
    if (result != Tbs.TBS_SUCCESS) {
      throw TbsResult.toException("Tbsi_Context_Create", result);
    }
    LOG.debug("opened a TBS context for TPM 2.0");
    return new TbsTransport(tbs, context.getValue(), ioTimeout);
  }

  private static Tbs load() throws KeytrustException {
    try {
      return Native.load("tbs", Tbs.class);
    } catch (LinkageError e) {
      throw new KeytrustException(
          CoreErrorCode.TPM_PLATFORM_UNSUPPORTED,
          "Cannot load tbs.dll (" + e.getMessage() + "): this Windows has no TPM Base Services;"
              + " use 'software' keys.",
          e);
    }
  }
}
