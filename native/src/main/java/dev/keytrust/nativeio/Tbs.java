package dev.keytrust.nativeio;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;

/**
 * The Windows TPM Base Services calls keytrust uses ({@code tbs.h}, {@code tbs.dll}). Loaded only
 * by {@link TbsTransportProvider#open} on Windows, never at class-loading time.
 */
interface Tbs extends StdCallLibrary {

  int TBS_SUCCESS = 0;
  int TBS_CONTEXT_VERSION_TWO = 2;
  /** {@code TBS_CONTEXT_PARAMS2.includeTpm20}: bit 2 of the flags word. */
  int INCLUDE_TPM20 = 1 << 2;
  int TBS_COMMAND_LOCALITY_ZERO = 0;
  int TBS_COMMAND_PRIORITY_NORMAL = 200;

  /** {@code TPM_DEVICE_INFO.tpmVersion} values. */
  int TPM_VERSION_UNKNOWN = 0;
  int TPM_VERSION_12 = 1;
  int TPM_VERSION_20 = 2;

  int Tbsi_GetDeviceInfo(int size, TpmDeviceInfo info);

  int Tbsi_Context_Create(TbsContextParams2 params, PointerByReference context);

  int Tbsip_Submit_Command(
      Pointer context,
      int locality,
      int priority,
      Pointer command,
      int commandSize,
      Pointer result,
      IntByReference resultSize);

  int Tbsip_Cancel_Commands(Pointer context);

  int Tbsip_Context_Close(Pointer context);

  /**
   * {@code TPM_DEVICE_INFO}: four 32-bit values. {@code tpmInterfaceType} is documented as reserved
   * but {@code tbs.h} names its values ({@link #interfaceName()}); {@code tpmImpRevision} is reserved.
   */
  @FieldOrder({"structVersion", "tpmVersion", "tpmInterfaceType", "tpmImpRevision"})
  final class TpmDeviceInfo extends Structure {
    public int structVersion;
    public int tpmVersion;
    public int tpmInterfaceType;
    public int tpmImpRevision;

    public TpmDeviceInfo() {
      super();
    }

    /** The TPM version as people write it: {@code 2.0}, {@code 1.2} or {@code unknown (N)}. */
    String versionName() {
      switch (tpmVersion) {
        case TPM_VERSION_20:
          return "2.0";
        case TPM_VERSION_12:
          return "1.2";
        default:
          return "unknown (" + tpmVersion + ")";
      }
    }

    /** {@code tbs.h}'s TPM_IFTYPE_* name for {@code tpmInterfaceType}. */
    String interfaceName() {
      switch (tpmInterfaceType) {
        case 1:
          return "TPM 1.2 I/O port or MMIO";
        case 2:
          return "TrustZone";
        case 3:
          return "hardware";
        case 4:
          return "software emulator";
        case 5:
          return "SPB";
        default:
          return "unknown (" + tpmInterfaceType + ")";
      }
    }
  }

  /** {@code TBS_CONTEXT_PARAMS2}: a version and a union of bit flags (requestRaw, includeTpm12, includeTpm20). */
  @FieldOrder({"version", "flags"})
  final class TbsContextParams2 extends Structure {
    public int version;
    public int flags;

    public TbsContextParams2() {
      super();
    }

    static TbsContextParams2 tpm20() {
      TbsContextParams2 p = new TbsContextParams2();
      p.version = TBS_CONTEXT_VERSION_TWO;
      p.flags = INCLUDE_TPM20;
      return p;
    }
  }
}
