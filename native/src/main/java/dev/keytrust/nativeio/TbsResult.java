package dev.keytrust.nativeio;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.ErrorCode;
import dev.keytrust.error.KeytrustException;
import java.util.Locale;

/** TBS result codes ({@code winerror.h}, facility 0x28 "TBS") and what each means for the user. */
enum TbsResult {
  TBS_E_INTERNAL_ERROR(0x80284001, CoreErrorCode.TPM_TRANSPORT,
      "an internal TPM Base Services error, often transient; retry, and check the System event log"),
  TBS_E_BAD_PARAMETER(0x80284002, CoreErrorCode.TPM_TRANSPORT,
      "TBS rejected a parameter; report this as a keytrust bug"),
  TBS_E_INVALID_OUTPUT_POINTER(0x80284003, CoreErrorCode.TPM_TRANSPORT,
      "TBS rejected an output pointer; report this as a keytrust bug"),
  TBS_E_INVALID_CONTEXT(0x80284004, CoreErrorCode.TPM_TRANSPORT,
      "the TBS context is no longer valid (the service may have restarted); reopen the TPM"),
  TBS_E_INSUFFICIENT_BUFFER(0x80284005, CoreErrorCode.TPM_TRANSPORT,
      "the response does not fit the " + TbsTransport.RESPONSE_BUFFER_SIZE + "-byte buffer;"
          + " report this as a keytrust bug"),
  TBS_E_IOERROR(0x80284006, CoreErrorCode.TPM_TRANSPORT,
      "the TPM driver reported an I/O error; check the TPM in tpm.msc and the System event log"),
  TBS_E_INVALID_CONTEXT_PARAM(0x80284007, CoreErrorCode.TPM_TRANSPORT,
      "TBS rejected the context parameters; report this as a keytrust bug"),
  TBS_E_SERVICE_NOT_RUNNING(0x80284008, CoreErrorCode.TPM_UNREACHABLE,
      "the TPM Base Services service is not running; start it (sc start TBS) and retry"),
  TBS_E_TOO_MANY_TBS_CONTEXTS(0x80284009, CoreErrorCode.TPM_BUSY,
      "too many TBS contexts are open; close other TPM applications and retry"),
  TBS_E_TOO_MANY_RESOURCES(0x8028400A, CoreErrorCode.TPM_OBJECT_MEMORY,
      "TBS has no room for more loaded objects or sessions; flush unused handles and retry"),
  TBS_E_SERVICE_START_PENDING(0x8028400B, CoreErrorCode.TPM_BUSY,
      "the TPM Base Services service is still starting; retry in a few seconds"),
  TBS_E_PPI_NOT_SUPPORTED(0x8028400C, CoreErrorCode.TPM_TRANSPORT,
      "the firmware does not support the Physical Presence Interface"),
  TBS_E_COMMAND_CANCELED(0x8028400D, CoreErrorCode.TPM_TRANSPORT,
      "the command was canceled (time-out or power event); retry"),
  TBS_E_BUFFER_TOO_LARGE(0x8028400E, CoreErrorCode.TPM_TRANSPORT,
      "the command is larger than TBS accepts; report this as a keytrust bug"),
  TBS_E_TPM_NOT_FOUND(0x8028400F, CoreErrorCode.TPM_UNREACHABLE,
      "Windows found no compatible TPM 2.0; enable the TPM (fTPM/PTT) in firmware setup and check"
          + " tpm.msc, or use 'software' keys"),
  TBS_E_SERVICE_DISABLED(0x80284010, CoreErrorCode.TPM_UNREACHABLE,
      "the TPM Base Services service is disabled; set its start type to Manual (sc config TBS"
          + " start= demand)"),
  TBS_E_NO_EVENT_LOG(0x80284011, CoreErrorCode.TPM_TRANSPORT,
      "no TCG event log is available"),
  TBS_E_ACCESS_DENIED(0x80284012, CoreErrorCode.TPM_UNREACHABLE,
      "Windows denied access to the TPM; the command may be blocked by group policy (TPM command"
          + " blocking) or the account lacks rights"),
  TBS_E_PROVISIONING_NOT_ALLOWED(0x80284013, CoreErrorCode.TPM_TRANSPORT,
      "TPM provisioning is not allowed by policy"),
  TBS_E_PPI_FUNCTION_UNSUPPORTED(0x80284014, CoreErrorCode.TPM_TRANSPORT,
      "the firmware does not support the requested Physical Presence function"),
  TBS_E_OWNERAUTH_NOT_FOUND(0x80284015, CoreErrorCode.TPM_TRANSPORT,
      "the requested owner authorization is not stored by Windows"),
  TBS_E_PROVISIONING_INCOMPLETE(0x80284016, CoreErrorCode.TPM_UNREACHABLE,
      "the TPM is deactivated or its provisioning is incomplete; check tpm.msc");

  private final int value;
  private final ErrorCode code;
  private final String hint;

  TbsResult(int value, ErrorCode code, String hint) {
    this.value = value;
    this.code = code;
    this.hint = hint;
  }

  int value() {
    return value;
  }

  ErrorCode code() {
    return code;
  }

  /** The known result with this value, or null. */
  static TbsResult of(int value) {
    for (TbsResult r : values()) {
      if (r.value == value) {
        return r;
      }
    }
    return null;
  }

  /** {@code 0x8028400F}: the form Windows documents and event logs show. */
  static String hex(int value) {
    return String.format(Locale.ROOT, "0x%08X", value);
  }

  /** The error for a failed TBS call; {@code result} is not {@link Tbs#TBS_SUCCESS}. */
  static KeytrustException toException(String function, int result) {
    TbsResult known = of(result);
    if (known == null) {
      return new KeytrustException(
          CoreErrorCode.TPM_TRANSPORT,
          function + " failed with TBS result " + hex(result) + "; look the code up in winerror.h"
              + " and check the TPM in tpm.msc.");
    }
    return new KeytrustException(
        known.code,
        function + " failed with " + known.name() + " (" + hex(result) + "): " + known.hint + ".");
  }
}
