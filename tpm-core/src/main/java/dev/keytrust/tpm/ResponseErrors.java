package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.Durations;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.error.LockedOutException;
import dev.keytrust.error.TpmCommandException;
import dev.keytrust.error.WrongPinException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TPM response codes as the typed errors a caller acts on: a wrong PIN with the TPM's tries left,
 * a lockout with the time to wait, a hierarchy's authorization that is not about a PIN, a full
 * TPM, an algorithm the TPM lacks, a key blob from another TPM. The message says what to do in
 * the library's terms; front ends add their own options.
 */
final class ResponseErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseErrors.class);

  private ResponseErrors() {}

  /** Reads the dictionary-attack state from the TPM. */
  @FunctionalInterface
  interface DaStateReader {
    DictionaryAttackState read() throws KeytrustException;
  }

  /**
   * Maps a TPM response code to the error a caller can act on.
   *
   * @param command the command that failed, e.g. {@code TPM2_Sign}
   * @param daState reads the dictionary-attack state, for a wrong PIN's tries left or a lockout's
   *     time to wait (may fail: the message then says less)
   */
  static KeytrustException of(String command, int rc, DaStateReader daState) {
    int base = TpmResponseCodes.base(rc);
    String what = TpmResponseCodes.describe(rc);
    switch (base) {
      case TpmResponseCodes.AUTH_FAIL:
      case TpmResponseCodes.BAD_AUTH:
        if (SESSION_ONLY_COMMANDS.contains(command)) {
          return sessionRefused(command, rc);
        }
        if (!KEY_AUTH_COMMANDS.contains(command)) {
          return hierarchyAuth(command, rc);
        }
        return base == TpmResponseCodes.AUTH_FAIL
            ? wrongPin(command, rc, daState)
            : new WrongPinException(
                -1, "Wrong PIN: the TPM refused the key's authorization (" + what + "). Enter the correct PIN.");
      case TpmResponseCodes.LOCKOUT:
        return lockedOut(daState);
      case TpmResponseCodes.OBJECT_MEMORY:
      case TpmResponseCodes.SESSION_MEMORY:
      case TpmResponseCodes.MEMORY:
        return new TpmCommandException(
            CoreErrorCode.TPM_OBJECT_MEMORY, command, rc,
            command + " failed: the TPM has no free object or session slot (" + what + "). Another program "
                + "left objects loaded: close it, use the resource manager (/dev/tpmrm0), or on a simulator "
                + "run tpm2_flushcontext -t / restart it.");
      case TpmResponseCodes.ASYMMETRIC:
      case TpmResponseCodes.CURVE:
      case TpmResponseCodes.KEY_SIZE:
      case TpmResponseCodes.SCHEME:
      case TpmResponseCodes.HASH:
      case TpmResponseCodes.SYMMETRIC:
        return new TpmCommandException(
            CoreErrorCode.TPM_UNSUPPORTED_ALGORITHM, command, rc,
            command + " failed: this TPM does not support the requested algorithm or parameters (" + what
                + "): choose another algorithm this TPM supports.");
      case TpmResponseCodes.INTEGRITY:
        return new TpmCommandException(
            CoreErrorCode.TPM_KEY_NOT_LOADABLE, command, rc,
            command + " failed: the key blob was not made by this TPM under this storage root key (" + what
                + "). The TPM was cleared or replaced, or the key store belongs to another machine: delete "
                + "the key and provision again.");
      default:
        return new TpmCommandException(
            CoreErrorCode.TPM_COMMAND_FAILED, command, rc,
            command + " failed with " + what + ".");
    }
  }

  /**
   * Commands authorized with a PIN-derived auth value (a user key's, a sealed secret's): their
   * AUTH_FAIL/BAD_AUTH is a wrong PIN. Other auth failures are a hierarchy's or a session's.
   */
  static final java.util.Set<String> KEY_AUTH_COMMANDS =
      java.util.Set.of("TPM2_Sign", "TPM2_Certify", "TPM2_Unseal", "TPM2_ObjectChangeAuth");

  /**
   * Commands keytrust authorizes with an HMAC session on the storage root key, whose auth value
   * is empty and which has noDA: an auth failure there is no wrong PIN and no hierarchy's
   * authorization, but a session whose bytes were changed between keytrust and the TPM (or an SRK
   * with an auth value keytrust did not set).
   */
  static final java.util.Set<String> SESSION_ONLY_COMMANDS = java.util.Set.of("TPM2_Load", "TPM2_Create");

  private static KeytrustException sessionRefused(String command, int rc) {
    return new TpmCommandException(
        CoreErrorCode.TPM_RESPONSE_NOT_AUTHENTIC, command, rc,
        command + " failed: the TPM refused the session's HMAC on the storage root key (" + TpmResponseCodes.describe(rc)
            + "). That key has an empty authorization and counts no tries, so this is not a wrong PIN: the session "
            + "or the command was changed between keytrust and the TPM (check what can reach the TPM's bus or "
            + "socket: a resource manager, a proxy, another process), or the storage root key was re-created with "
            + "an authorization value. Nothing was created or used; retry.");
  }

  private static KeytrustException hierarchyAuth(String command, int rc) {
    boolean lockout = command.startsWith("TPM2_DictionaryAttack");
    return new TpmCommandException(
        CoreErrorCode.TPM_HIERARCHY_AUTH, command, rc,
        command + " failed: the TPM refused the " + (lockout ? "lockout" : "owner") + " hierarchy's authorization ("
            + TpmResponseCodes.describe(rc) + "). This is not about a PIN: " + (lockout
                ? "the TPM's lockout authorization is set; pass it, or reset the settings with the owner's tools."
                : "keytrust creates its storage root key with an empty owner authorization, and this TPM's owner "
                    + "authorization is set. Persist the storage root key yourself (tpm2_createprimary -C o -P OWNER "
                    + "with the TCG template, then tpm2_evictcontrol to 0x81000001 / 0x81000002), or clear the owner "
                    + "authorization.")
            + (lockout ? " After a wrong lockout authorization the TPM refuses it for its lockout recovery time." : ""));
  }

  private static KeytrustException wrongPin(String command, int rc, DaStateReader daState) {
    try {
      DictionaryAttackState da = daState.read();
      if (da.lockoutInterval().isZero()) {
        return new WrongPinException(
            -1,
            "Wrong PIN: the TPM refused the key's authorization (" + TpmResponseCodes.describe(rc) + "). This TPM's "
                + "dictionary-attack protection is off (lockout interval 0), so wrong PINs are not counted or "
                + "limited: have the TPM owner enable it.");
      }
      if (da.inLockout() || da.triesLeft() == 0) {
        return new LockedOutException(
            retryAfter(da),
            "Wrong PIN, and the TPM is now in dictionary-attack lockout after " + da.lockoutCounter()
                + " failed attempts. " + lockoutAdvice(da));
      }
      return new WrongPinException(
          da.triesLeft(),
          "Wrong PIN: the TPM refused the key's authorization (" + TpmResponseCodes.describe(rc) + "). "
              + da.triesLeft() + " of " + da.maxAuthFail() + " tries left before the TPM locks out.");
    } catch (KeytrustException e) {
      LOG.debug("could not read the dictionary-attack state after {}: {}", command, e.getMessage());
      return new WrongPinException(-1, "Wrong PIN: the TPM refused the key's authorization.");
    }
  }

  private static KeytrustException lockedOut(DaStateReader daState) {
    try {
      DictionaryAttackState da = daState.read();
      return new LockedOutException(
          retryAfter(da),
          "The TPM is in dictionary-attack lockout after " + da.lockoutCounter() + " failed PIN attempts "
              + "and refuses the key. " + lockoutAdvice(da));
    } catch (KeytrustException e) {
      return new LockedOutException(
          Duration.ZERO, "The TPM is in dictionary-attack lockout and refuses the key. Wait, or have the TPM "
              + "owner reset the lockout.");
    }
  }

  /**
   * How long until one more try: the lockout interval, after which the TPM forgets one failure.
   * Zero when waiting does not help: the TPM is locked with fewer failures than its maximum (a
   * maximum of 0 locks it for good), so only a reset or new settings end the lockout.
   */
  private static Duration retryAfter(DictionaryAttackState da) {
    return waitingHelps(da) ? da.lockoutInterval() : Duration.ZERO;
  }

  private static boolean waitingHelps(DictionaryAttackState da) {
    return !da.lockoutInterval().isZero() && da.maxAuthFail() > 0 && da.lockoutCounter() >= da.maxAuthFail();
  }

  private static String lockoutAdvice(DictionaryAttackState da) {
    String reset = "have the TPM owner reset the lockout (tpm2_dictionarylockout --clear-lockout)";
    if (!waitingHelps(da)) {
      return "Waiting does not end this lockout (" + da.lockoutCounter() + " of " + da.maxAuthFail()
          + " failures counted): " + reset + " or set new dictionary-attack parameters.";
    }
    return "It forgets one failure every " + Durations.human(da.lockoutInterval()) + ": retry in "
        + Durations.human(da.lockoutInterval()) + ", or " + reset + ".";
  }
}
