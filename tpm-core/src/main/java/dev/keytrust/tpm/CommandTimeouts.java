package dev.keytrust.tpm;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.time.Duration;
import java.util.Objects;
import tss.tpm.TPM_CC;

/**
 * How long one TPM command may take, chosen from its command code (bytes 6..9 of every command
 * buffer): key generation gets {@link #keyGeneration()}, every other command {@link #command()}.
 *
 * <p>Key generation is the one thing a healthy TPM may take long for: an RSA-2048 key is a search
 * for two primes, and slow discrete TPMs have been measured at tens of seconds for one (with rare
 * outliers far beyond). The commands that can generate a key are TPM2_CreatePrimary, TPM2_Create
 * and TPM2_CreateLoaded; they keep the long timeout, {@link TpmTransports#DEFAULT_IO_TIMEOUT} (120
 * s) unless the caller names another.
 *
 * <p>Everything else keytrust sends (TPM2_Startup, GetCapability, ReadPublic, Load, Sign, Unseal,
 * StartAuthSession, FlushContext, EvictControl, NV_Read, ActivateCredential, ...) is bounded work:
 * an RSA-2048 private-key operation (Sign, ActivateCredential's decryption), the slowest of them,
 * takes about 1-2 s on slow discrete TPMs, and an NV write (EvictControl) well under a second. The
 * Linux kernel's TPM driver likewise keeps its longest duration class (TPM_LONG_LONG, in
 * drivers/char/tpm/tpm2-cmd.c) for these three key-generating commands. {@link #DEFAULT_COMMAND}
 * is 20 s: ten times the slowest of the bounded commands, so a busy but working TPM is not cut
 * off, while a TPM that stalls is reported in 20 s instead of 120 s. A
 * TPM that is busy rather than stalled answers TPM_RC_RETRY / YIELDED / TESTING, which are retried
 * separately and do not count against this timeout.
 *
 * @param keyGeneration the timeout of TPM2_CreatePrimary, TPM2_Create and TPM2_CreateLoaded
 * @param command the timeout of every other command
 */
public record CommandTimeouts(Duration keyGeneration, Duration command) {

  /** The timeout of commands other than key generation: see the class comment for the choice. */
  public static final Duration DEFAULT_COMMAND = Duration.ofSeconds(20);

  /** TPM_CC_CreatePrimary (TPM 2.0 Part 2, 6.5.2). */
  public static final int TPM_CC_CREATE_PRIMARY = 0x00000131;
  /** TPM_CC_Create. */
  public static final int TPM_CC_CREATE = 0x00000153;
  /** TPM_CC_CreateLoaded. */
  public static final int TPM_CC_CREATE_LOADED = 0x00000191;

  private static final CommandTimeouts DEFAULTS =
      new CommandTimeouts(TpmTransports.DEFAULT_IO_TIMEOUT, DEFAULT_COMMAND);

  public CommandTimeouts {
    requirePositive(keyGeneration, "key generation");
    requirePositive(command, "command");
  }

  private static void requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("The TPM " + what + " timeout must be positive, got " + d);
    }
  }

  /** 120 s for key generation, 20 s for every other command. */
  public static CommandTimeouts defaults() {
    return DEFAULTS;
  }

  /**
   * {@code longest} for key generation, and the shorter of {@code longest} and {@link
   * #DEFAULT_COMMAND} for every other command: what a single I/O timeout given to {@link
   * TpmSession#open(TpmUri, Duration)} means.
   */
  public static CommandTimeouts upTo(Duration longest) {
    requirePositive(longest, "I/O");
    return new CommandTimeouts(longest, longest.compareTo(DEFAULT_COMMAND) < 0 ? longest : DEFAULT_COMMAND);
  }

  /** The longer of the two: what the transport is opened with, as the ceiling of every command. */
  public Duration longest() {
    return keyGeneration.compareTo(command) >= 0 ? keyGeneration : command;
  }

  /*
   * equals and hashCode written out, as the record's would be: every TPM session compares its
   * timeouts with its connection's (TpmConnection.useTimeouts), and a record's generated methods
   * are linked through ObjectMethods' method handles at their first call, ~50 classes spun at run
   * time in each CLI command that opens the TPM.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof CommandTimeouts t && keyGeneration.equals(t.keyGeneration) && command.equals(t.command);
  }

  @Override
  public int hashCode() {
    return 31 * keyGeneration.hashCode() + command.hashCode();
  }

  /** The timeout of the command whose code is {@code commandCode}. */
  public Duration forCode(int commandCode) {
    return generatesKey(commandCode) ? keyGeneration : command;
  }

  /** The timeout of a marshalled command; a buffer too short to hold a code gets {@link #command()}. */
  public Duration forCommand(byte[] command) {
    return command.length < 10 ? this.command : forCode(commandCode(command));
  }

  /** True for TPM2_CreatePrimary, TPM2_Create and TPM2_CreateLoaded. */
  public static boolean generatesKey(int commandCode) {
    return commandCode == TPM_CC_CREATE_PRIMARY || commandCode == TPM_CC_CREATE || commandCode == TPM_CC_CREATE_LOADED;
  }

  /** The command code of a marshalled command (big-endian at bytes 6..9), or -1 if it is too short. */
  public static int commandCode(byte[] command) {
    if (command.length < 10) {
      return -1;
    }
    return ((command[6] & 0xFF) << 24) | ((command[7] & 0xFF) << 16) | ((command[8] & 0xFF) << 8) | (command[9] & 0xFF);
  }

  /** The TCG name of a command code, e.g. {@code TPM2_Sign}, or {@code TPM_CC 0x00000999} if unknown. */
  public static String commandName(int commandCode) {
    String n = TPM_CC.fromInt(commandCode).name();
    if (n == null || n.isEmpty() || Character.isDigit(n.charAt(0))) {
      return String.format("TPM_CC 0x%08X", commandCode);
    }
    return "TPM2_" + n;
  }

  /** The TCG name of a marshalled command's code. */
  public static String commandName(byte[] command) {
    return command.length < 10 ? "a TPM command" : commandName(commandCode(command));
  }

  /**
   * The error a transport raises when {@code command} got no complete answer within {@code
   * waited}: {@code TPM_TRANSPORT} (KT-0102), naming the command, the timeout and what to do.
   *
   * @param where the transport's {@link TpmTransport#describe() description}
   * @param cause the socket timeout or similar, kept as the cause; may be null
   */
  public static KeytrustException timedOut(String where, byte[] command, Duration waited, Throwable cause) {
    return timedOut(where, command, waited, null, cause);
  }

  /**
   * As {@link #timedOut(String, byte[], Duration, Throwable)}, saying what the transport was doing
   * when the time ran out.
   *
   * @param phase e.g. {@code waiting for the response}; may be null
   */
  public static KeytrustException timedOut(
      String where, byte[] command, Duration waited, String phase, Throwable cause) {
    int code = commandCode(command);
    String kind = generatesKey(code) ? "the key generation timeout" : "the timeout for commands other than key generation";
    if (phase != null) {
      kind += ", while " + phase;
    }
    return new KeytrustException(
        CoreErrorCode.TPM_TRANSPORT,
        commandName(command) + " got no answer from " + where + " within " + human(waited) + " (" + kind
            + "): the TPM stalled, and keytrust gave up this connection. Check that the TPM (or simulator) "
            + "still runs and retry; a hardware TPM that keeps stalling needs a reboot.",
        cause);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }
}
