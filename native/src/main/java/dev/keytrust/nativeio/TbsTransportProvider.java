package dev.keytrust.nativeio;

import com.sun.jna.Native;
import com.sun.jna.ptr.PointerByReference;
import dev.keytrust.error.ErrorCode;
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
 * is also Windows' resource manager. Creates a {@code TBS_CONTEXT_PARAMS2} version 2 context with
 * {@code includeTpm20} and submits commands at locality 0, normal priority.
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
          ErrorCode.INVALID_ARGUMENT, "The TPM I/O timeout must be positive, got " + ioTimeout + ".");
    }
    String os = System.getProperty("os.name", "");
    if (!os.toLowerCase(Locale.ROOT).startsWith("windows")) {
      throw new KeytrustException(
          ErrorCode.TPM_PLATFORM_UNSUPPORTED,
          "tbs: is the Windows TPM Base Services and this OS is " + os
              + "; on this OS use device:/dev/tpmrm0 or mssim://HOST:PORT.");
    }
    Tbs tbs = load();
    PointerByReference context = new PointerByReference();
    int result = tbs.Tbsi_Context_Create(Tbs.TbsContextParams2.tpm20(), context);
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
          ErrorCode.TPM_PLATFORM_UNSUPPORTED,
          "Cannot load tbs.dll (" + e.getMessage() + "): this Windows has no TPM Base Services;"
              + " use --tpm software.",
          e);
    }
  }
}
