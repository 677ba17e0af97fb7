package dev.keytrust.lab;

import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.DnBinary;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialFormatException;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.keyservice.RegisteredKey;
import dev.keytrust.lab.keyservice.RegistrationListener;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's stand-in for Entra Connect's key write-back in hybrid key trust: on a cycle, copies the
 * keys registered at a {@link LabKeyService} into the {@code msDS-KeyCredentialLink} of the user
 * with the same userPrincipalName in a {@link SyncDirectory} (the in-process {@link LabDirectory}, or
 * a real directory through {@link LdapSyncDirectory}, bound as the sync account).
 *
 * <ul>
 *   <li>Each registered key becomes a version 2 KEYCREDENTIALLINK_BLOB as Entra ID writes it back:
 *       KeyUsage NGC, <b>KeySource AzureAD</b>, the registration's DeviceId, a CustomKeyInformation
 *       of the job's {@link CkiForm} (by default {@link CkiForm#ENTRA}: the 15 bytes Entra ID
 *       writes, Version 1, Flags 0, FekKeyVersion 0, KeyStrength 2 = normal, 9 reserved bytes), no
 *       LastLogon, and KeyCreationTime = the registration time in .NET {@code ToBinary} form (kind
 *       UTC), the encoding AzureAD-source values use. The value is a pure function of the
 *       registration and the form, so a cycle finds an equal value already there and does not add
 *       it again.
 *   <li>The service is the source of truth for AzureAD-source values, as Entra ID is for Entra
 *       Connect: a cycle removes from a user every AzureAD-source value that is not the value of
 *       one of that user's current registrations (a key removed at the service, or registered
 *       anew). Values with KeySource AD (written over LDAP or by AD FS) and values that do not
 *       parse are never touched.
 *   <li>A registration whose UPN matches no user in the directory is skipped (and reported) until
 *       a cycle finds the user.
 *   <li>Cycles run every {@link #DEFAULT_INTERVAL} (30 minutes, Entra Connect's default) or the
 *       interval given, down to {@link #MIN_INTERVAL}; the first one an interval after {@link
 *       #start}. {@link #runOnce()} runs one now (as {@code Start-ADSyncSyncCycle}).
 * </ul>
 *
 * <p>Thread-safe: cycles never overlap. {@link #close()} stops the schedule.
 */
public final class LabSync implements AutoCloseable {
  /** Entra Connect's default sync cycle. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(30);
  /** The shortest interval allowed. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  /** The longest interval allowed (Entra Connect needs a delta sync at least every 7 days). */
  public static final Duration MAX_INTERVAL = Duration.ofDays(7);

  private static final Logger LOG = LoggerFactory.getLogger(LabSync.class);
  /** Entra's 15-byte CustomKeyInformation: Version 1, Flags 0, VolType, SupportsNotification,
   *  FekKeyVersion 0, KeyStrength 2 (normal), 9 reserved bytes. */
  private static final byte[] ENTRA_CKI = {1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0};

  /**
   * The CustomKeyInformation the job writes into each value. Everything else in the value is the
   * same in both forms.
   */
  public enum CkiForm {
    /**
     * The 15 bytes Entra ID writes back (seen in real directories, see tpm-core's test vectors):
     * Version 1, Flags 0, VolType 0, SupportsNotification 0, FekKeyVersion 0, KeyStrength 2, 9
     * reserved bytes. Windows domain controllers and keytrust read it; Samba 4.24's KDC does not
     * (its parser wants FekKeyVersion 1 and 10 reserved bytes, and skips the whole value: "Client
     * has no public keys"). The default, and the form for every directory but the lab KDC.
     */
    ENTRA("Entra ID's 15-byte form"),
    /**
     * The long form of MS-ADTS 2.2.20.3 with the same field values but FekKeyVersion 1 and 10
     * reserved bytes (16 bytes, {@link CustomKeyInformation#specificationLongForm}): what a
     * specification-strict reader such as Samba 4.24's KDC takes. The lab writes it when its
     * directory is the lab KDC, so that provision, sync and Kerberos sign-in work there.
     */
    MS_ADTS("the MS-ADTS 2.2.20.3 long form (FekKeyVersion 1, 10 reserved bytes)");

    private final String description;

    CkiForm(String description) {
      this.description = description;
    }

    /** The CustomKeyInformation of this form. */
    public CustomKeyInformation customKeyInformation() {
      return this == ENTRA ? new CustomKeyInformation(ENTRA_CKI)
          : CustomKeyInformation.specificationLongForm(0, 0, 0,
              CustomKeyInformation.KEY_STRENGTH_NORMAL);
    }

    /** What it is, for the lab's output. */
    public String description() {
      return description;
    }
  }

  /**
   * What one cycle did.
   *
   * @param at when the cycle began
   * @param added values added
   * @param removed values removed
   * @param unchanged values that were already there
   * @param usersNotFound UPNs of registrations that match no user in the directory
   */
  public record Cycle(Instant at, int added, int removed, int unchanged, List<String> usersNotFound) {
    public Cycle {
      usersNotFound = List.copyOf(usersNotFound);
    }
  }

  private final LabKeyService service;
  private final SyncDirectory directory;
  private final CkiForm form;
  private final Duration interval;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final RegistrationListener listener;
  private final Object cycleLock = new Object();
  private volatile Instant nextCycle;
  private volatile Cycle lastCycle;
  private volatile boolean closed;

  private LabSync(
      LabKeyService service, SyncDirectory directory, CkiForm form, Duration interval, Clock clock,
      boolean scheduled) {
    this.service = Objects.requireNonNull(service, "service");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.form = Objects.requireNonNull(form, "form");
    this.interval = checkInterval(interval);
    this.clock = clock;
    this.listener = new RegistrationListener() {
      @Override
      public void registered(RegisteredKey key) {
        LOG.info("lab sync: key {} of {} registered; it reaches the directory at the next sync"
            + " cycle{}", key.keyIdBase64(), key.upn(), nextCycle == null ? "" : " (" + nextCycle + ")");
      }

      @Override
      public void removed(RegisteredKey key) {
        LOG.info("lab sync: key {} of {} removed; it leaves the directory at the next sync cycle",
            key.keyIdBase64(), key.upn());
      }
    };
    service.addListener(listener);
    if (scheduled) {
      scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-sync");
        t.setDaemon(true);
        return t;
      });
      nextCycle = clock.instant().plus(this.interval);
      long millis = this.interval.toMillis();
      scheduler.scheduleWithFixedDelay(this::scheduledCycle, millis, millis, TimeUnit.MILLISECONDS);
    } else {
      scheduler = null;
    }
  }

  /**
   * Starts syncing every {@code interval}, the first cycle one interval from now.
   *
   * @throws IllegalArgumentException when the interval is below {@link #MIN_INTERVAL} or above
   *     {@link #MAX_INTERVAL}
   */
  public static LabSync start(LabKeyService service, SyncDirectory directory, Duration interval) {
    return start(service, directory, interval, CkiForm.ENTRA);
  }

  /** As {@link #start(LabKeyService, SyncDirectory, Duration)}, writing the given form. */
  public static LabSync start(LabKeyService service, SyncDirectory directory, Duration interval,
      CkiForm form) {
    return new LabSync(service, directory, form, interval, Clock.systemUTC(), true);
  }

  /** A sync job without a schedule: cycles run only by {@link #runOnce()}. */
  public static LabSync manual(LabKeyService service, SyncDirectory directory) {
    return manual(service, directory, CkiForm.ENTRA);
  }

  /** As {@link #manual(LabKeyService, SyncDirectory)}, writing the given form. */
  public static LabSync manual(LabKeyService service, SyncDirectory directory, CkiForm form) {
    return new LabSync(service, directory, form, DEFAULT_INTERVAL, Clock.systemUTC(), false);
  }

  /** Parses {@code 30m}, {@code 90s}, {@code 2h}, {@code 500ms}, or ISO-8601 ({@code PT30M}). */
  public static Duration parseInterval(String text) {
    String t = text.strip();
    try {
      if (t.regionMatches(true, 0, "PT", 0, 2) || t.regionMatches(true, 0, "P", 0, 1)) {
        return checkInterval(Duration.parse(t.toUpperCase(java.util.Locale.ROOT)));
      }
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?").matcher(t);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
          case "ms" -> Duration.ofMillis(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofSeconds(n);
        };
        return checkInterval(d);
      }
    } catch (java.time.format.DateTimeParseException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a duration: use e.g. 30m, 90s, 2h or PT30M");
  }

  private static Duration checkInterval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "the sync interval must be from " + MIN_INTERVAL.toSeconds() + " s to "
              + MAX_INTERVAL.toDays() + " days, not " + interval);
    }
    return interval;
  }

  public Duration interval() {
    return interval;
  }

  /** The CustomKeyInformation form this job writes. */
  public CkiForm form() {
    return form;
  }

  /** When the next scheduled cycle starts (empty for a manual job or once closed). */
  public Optional<Instant> nextCycle() {
    return closed || scheduler == null ? Optional.empty() : Optional.ofNullable(nextCycle);
  }

  /** The last cycle that completed, if any. */
  public Optional<Cycle> lastCycle() {
    return Optional.ofNullable(lastCycle);
  }

  /** Runs one sync cycle now, after any cycle in progress. */
  public Cycle runOnce() {
    synchronized (cycleLock) {
      if (closed) {
        throw new IllegalStateException("the lab sync job is closed");
      }
      Cycle c = cycle();
      lastCycle = c;
      return c;
    }
  }

  private void scheduledCycle() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      LOG.warn("lab sync: the cycle failed; the next one runs in {}", interval, e);
    } finally {
      nextCycle = clock.instant().plus(interval);
    }
  }

  private Cycle cycle() {
    Instant at = clock.instant();
    // what the directory should hold: per user DN, the values of that user's registrations
    Map<String, Set<String>> desired = new HashMap<>();
    Map<String, String> dnByUpn = new HashMap<>();
    List<String> notFound = new ArrayList<>();
    for (RegisteredKey key : service.registrations()) {
      String upnKey = key.upn().toLowerCase(java.util.Locale.ROOT);
      String dn = dnByUpn.computeIfAbsent(upnKey, u -> directory.findUserByUpn(key.upn()).orElse(""));
      if (dn.isEmpty()) {
        if (!notFound.contains(key.upn())) {
          notFound.add(key.upn());
        }
        continue;
      }
      try {
        desired.computeIfAbsent(dn, d -> new HashSet<>()).add(value(key, dn, form));
      } catch (KeytrustException | IllegalArgumentException e) {
        LOG.warn("lab sync: key {} of {} cannot be written back: {}", key.keyIdBase64(),
            key.upn(), e.getMessage());
      }
    }
    int added = 0;
    int removed = 0;
    int unchanged = 0;
    Set<String> users = new HashSet<>(desired.keySet());
    users.addAll(directory.entriesWithKeyCredentialLinks());
    for (String dn : users) {
      Set<String> want = desired.getOrDefault(dn, Set.of());
      List<String> have = directory.keyCredentialLinks(dn);
      Set<String> present = new HashSet<>();
      for (String value : have) {
        Optional<String> normal = normalized(value);
        if (normal.isPresent() && want.contains(normal.get())) {
          present.add(normal.get());
          unchanged++;
        } else if (isAzureAdSource(value)) {
          directory.removeKeyCredentialLink(dn, value);
          removed++;
          LOG.info("lab sync: removed an AzureAD key value from {} (not registered any more)", dn);
        }
      }
      for (String value : want) {
        if (!present.contains(value)) {
          directory.addKeyCredentialLink(dn, value);
          added++;
          LOG.info("lab sync: wrote a registered key to {} ({})", dn, LabDirectory.KEY_CREDENTIAL_LINK);
        }
      }
    }
    if (!notFound.isEmpty()) {
      LOG.info("lab sync: no user in the directory for {}; their keys wait for the next cycle",
          notFound);
    }
    Cycle c = new Cycle(at, added, removed, unchanged, notFound);
    LOG.debug("lab sync: cycle {}", c);
    return c;
  }

  /**
   * The msDS-KeyCredentialLink value (DN-Binary string) a default ({@link CkiForm#ENTRA}) job
   * writes for {@code key} on the user {@code userDn}.
   *
   * @throws KeytrustException when the key material is not an RSA1 blob the codec can carry
   */
  public static String value(RegisteredKey key, String userDn) throws KeytrustException {
    return value(key, userDn, CkiForm.ENTRA);
  }

  /** As {@link #value(RegisteredKey, String)}, with the CustomKeyInformation of {@code form}. */
  public static String value(RegisteredKey key, String userDn, CkiForm form)
      throws KeytrustException {
    KeyCredential credential = keyCredential(key, form);
    return new DnBinary(credential.toByteArray(), userDn).format();
  }

  /** The KEYCREDENTIALLINK_BLOB a default ({@link CkiForm#ENTRA}) job writes for {@code key}. */
  public static KeyCredential keyCredential(RegisteredKey key) throws KeytrustException {
    return keyCredential(key, CkiForm.ENTRA);
  }

  /** The KEYCREDENTIALLINK_BLOB the job of {@code form} writes for {@code key}. */
  public static KeyCredential keyCredential(RegisteredKey key, CkiForm form)
      throws KeytrustException {
    KeyCredential credential = KeyCredential.build(rsaKey(key.keyMaterial()),
        new KeyCredentialOptions(KeyUsage.NGC, KeySource.AZURE_AD, key.deviceId(),
            key.registeredAt(), null, form.customKeyInformation(), false));
    if (!Arrays.equals(credential.keyId().orElseThrow(), key.keyId())) {
      // the codec writes the minimal exponent; a blob with a padded exponent has another key id
      throw new IllegalArgumentException(
          "its BCRYPT blob is not in the minimal form, so the written KeyID would differ");
    }
    return credential;
  }

  private static PublicKey rsaKey(byte[] blob) throws KeytrustException {
    BcryptKeyBlob parsed;
    try {
      parsed = BcryptKeyBlob.parse(blob);
    } catch (KeyCredentialFormatException e) {
      throw new IllegalArgumentException("its key material is not a BCRYPT key blob: " + e.getMessage(), e);
    }
    if (!parsed.isRsa()) {
      throw new IllegalArgumentException("its key material is not a BCRYPT_RSAKEY_BLOB");
    }
    return parsed.toPublicKey();
  }

  /** The value re-formatted as this job formats it (upper-case hex), empty when not DN-Binary. */
  private static Optional<String> normalized(String value) {
    try {
      return Optional.of(DnBinary.parse(value).format());
    } catch (KeyCredentialFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean isAzureAdSource(String value) {
    try {
      return KeyCredential.parse(DnBinary.parse(value).binary()).source()
          .map(s -> s == KeySource.AZURE_AD).orElse(false);
    } catch (KeyCredentialFormatException | RuntimeException e) {
      return false; // not ours to judge: leave it
    }
  }

  /** Stops the schedule (a cycle in progress finishes) and stops listening to the service. */
  @Override
  public void close() {
    closed = true;
    service.removeListener(listener);
    if (scheduler != null) {
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "LabSync[every " + interval + ", " + form + (closed ? ", closed" : "") + "]";
  }
}
