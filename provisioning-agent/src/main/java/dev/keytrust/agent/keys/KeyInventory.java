package dev.keytrust.agent.keys;

import dev.keytrust.agent.audit.AuditTrail;
import dev.keytrust.agent.endpoint.KeyRegistrationEndpoint;
import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.agent.flow.RemainingRegistration;
import dev.keytrust.agent.flow.RemainingRegistrations;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.records.UserLock;
import dev.keytrust.agent.records.UserRecords;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import dev.keytrust.key.KeyContainerStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's keys side by side, and the removal of orphans: the key in this machine's key store, the
 * registrations at the key service and the values in the directory's msDS-KeyCredentialLink, by
 * KeyID, each said to belong to this device, another device or an unknown one.
 *
 * <pre>{@code
 * try (KeyRegistrationEndpoint service = KeyRegistrationEndpoints.open(drsUri, drsSettings);
 *     KeyRegistrationEndpoint directory = KeyRegistrationEndpoints.open(ldapsUri, ldapSettings)) {
 *   KeyInventory inventory = KeyInventory.builder().store(store).keyService(service).directory(directory)
 *       .thisDevice(deviceId).build();
 *   KeyListing listing = inventory.list("alice", "alice@contoso.com", null);
 *   if (!listing.orphans().isEmpty() && userAgrees(listing.orphans())) {
 *     PruneResult result = inventory.prune(listing);
 *   }
 * }
 * }</pre>
 *
 * <p>An orphan is a registration or directory value of this device whose key the key store no
 * longer holds: left behind by a key deleted outside keytrust, a lost journal, or an endpoint that
 * could not remove it when it should have. Keys of other devices are never touched. This device's
 * id comes from {@link Builder#thisDevice}, else from the user's records (the registration
 * receipt). The endpoints are the caller's: it opens and closes them. Listing never changes
 * anything; an endpoint that cannot list is reported in the listing, not thrown.
 */
public final class KeyInventory {
  private static final Logger LOG = LoggerFactory.getLogger(KeyInventory.class);
  /** The operation of prune's audit events. */
  static final String AUDIT_OPERATION = "keys-prune";

  private final KeyContainerStore store;
  private final KeyRegistrationEndpoint keyService;
  private final KeyRegistrationEndpoint directory;
  private final UUID thisDevice;
  private final AuditTrail audit;

  private KeyInventory(Builder b) {
    this.store = Objects.requireNonNull(b.store, "store");
    this.keyService = b.keyService;
    this.directory = b.directory;
    this.thisDevice = b.thisDevice;
    this.audit = b.audit;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Lists the user's keys.
   *
   * @param user the key store's user name
   * @param userPrincipalName the UPN the endpoints know the user by
   * @param accountName the on-premises account name to accept as well, or null
   * @throws KeytrustException the key store's errors (a damaged key file or record)
   */
  public KeyListing list(String user, String userPrincipalName, String accountName) throws KeytrustException {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(userPrincipalName, "userPrincipalName");
    Optional<KeyContainer> key = store.find(user);
    FlowStatus records = FlowStatus.read(store, user);
    UUID device = thisDevice != null ? thisDevice : recordedDevice(records);
    KeyListing.Source service = keyService == null ? null : source(keyService, userPrincipalName, accountName);
    KeyListing.Source dir = directory == null ? null : source(directory, userPrincipalName, accountName);

    Map<String, List<ListedKey>> atService = new LinkedHashMap<>();
    Map<String, List<ListedKey>> inDirectory = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    key.ifPresent(k -> ids.add(k.keyIdHex()));
    if (service != null) {
      service.keys().forEach(l -> add(atService, ids, l));
    }
    if (dir != null) {
      dir.keys().forEach(l -> add(inDirectory, ids, l));
    }
    List<KeyListing.Entry> entries = new ArrayList<>();
    for (String id : ids) {
      boolean inStore = key.isPresent() && key.get().keyIdHex().equals(id);
      ListedKey registered = atService.getOrDefault(id, List.of()).stream().findFirst().orElse(null);
      List<ListedKey> values = inDirectory.getOrDefault(id, List.of());
      UUID deviceId = deviceOf(registered, values);
      Instant created = earliest(inStore ? key.get().createdAt() : null, registered, values);
      KeyListing.Whose whose = inStore || (device != null && device.equals(deviceId)) ? KeyListing.Whose.THIS_DEVICE
          : deviceId != null && device != null ? KeyListing.Whose.OTHER_DEVICE
          : KeyListing.Whose.UNKNOWN_DEVICE;
      Boolean known = service == null || !service.listed() ? null : registered != null;
      byte[] raw = HexFormat.of().parseHex(id);
      entries.add(new KeyListing.Entry(id, Base64.getEncoder().encodeToString(raw), inStore, registered, values,
          deviceId, created, whose, known));
    }
    entries.sort(Comparator.comparing((KeyListing.Entry e) -> !e.inStore())
        .thenComparing(e -> e.created() == null ? Instant.MAX : e.created()));
    return new KeyListing(user, userPrincipalName, accountName, device, key, service, dir, entries);
  }

  /**
   * Removes the orphans of {@code listing} ({@link KeyListing#orphans()}): each registration at the
   * key service, then each directory value, under the user's lock. The key store is read again
   * first: an entry whose key is back in the store (provisioned meanwhile) is left alone. A removal
   * that fails does not stop the others; each is reported. Registrations removed are dropped from
   * the records of registrations a reset could not remove.
   *
   * @throws KeytrustException STORE_BUSY when a provisioning, PIN change or reset runs for the user
   */
  @SuppressWarnings("try") // the lock is held for the whole prune, never referenced
  public PruneResult prune(KeyListing listing) throws KeytrustException {
    String user = listing.user();
    List<PruneResult.Removal> removals = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    try (UserLock lock = new UserRecords(store).lock(user)) {
      Optional<KeyContainer> key = store.find(user);
      for (KeyListing.Entry e : listing.orphans()) {
        if (key.isPresent() && key.get().keyIdHex().equals(e.keyIdHex())) {
          continue;
        }
        if (e.atKeyService() != null && keyService != null) {
          PruneResult.Removal r = remove(keyService, "key service", e.atKeyService(), listing);
          removals.add(r);
          if (r.outcome() == PruneResult.Outcome.REMOVED) {
            gone.add(e.keyIdHex());
          }
        }
        for (ListedKey value : e.inDirectory()) {
          if (directory != null) {
            removals.add(remove(directory, "directory", value, listing));
          }
        }
      }
      if (!gone.isEmpty()) {
        RemainingRegistrations.forget(store, user, gone);
      }
    }
    return new PruneResult(user, removals);
  }

  private PruneResult.Removal remove(KeyRegistrationEndpoint endpoint, String where, ListedKey listed,
      KeyListing listing) {
    try {
      endpoint.unregister(listed.asRegistration(listing.userPrincipalName(), listing.accountName()));
      LOG.info("Pruned key {} of user '{}' at the {} {}", listed.keyIdBase64(), listing.user(), where,
          endpoint.describe());
      audit.registrationRemoved(listing.user(), AUDIT_OPERATION, listed.keyIdHex(), endpoint.describe());
      return new PruneResult.Removal(listed.keyIdBase64(), where, endpoint.describe(), PruneResult.Outcome.REMOVED,
          null, null);
    } catch (KeytrustException e) {
      boolean remains = e.code() == AgentErrorCode.DRS_UNREGISTER_UNSUPPORTED;
      if (remains) {
        audit.registrationRemains(listing.user(), AUDIT_OPERATION, listed.keyIdHex(), endpoint.describe(),
            e.code().id());
      }
      LOG.warn("Could not prune key {} of user '{}' at the {} {}: {}", listed.keyIdBase64(), listing.user(), where,
          endpoint.describe(), e.getMessage());
      return new PruneResult.Removal(listed.keyIdBase64(), where, endpoint.describe(),
          remains ? PruneResult.Outcome.REMAINS : PruneResult.Outcome.FAILED, e.code().id(), e.getMessage());
    }
  }

  private static KeyListing.Source source(KeyRegistrationEndpoint endpoint, String upn, String accountName) {
    try {
      return new KeyListing.Source(endpoint.describe(), endpoint.list(upn, accountName), null);
    } catch (KeytrustException e) {
      LOG.debug("{} listed nothing: {}", endpoint.describe(), e.toString());
      return new KeyListing.Source(endpoint.describe(), List.of(), e);
    }
  }

  private static void add(Map<String, List<ListedKey>> by, List<String> ids, ListedKey l) {
    String id = l.keyIdHex();
    by.computeIfAbsent(id, k -> new ArrayList<>()).add(l);
    if (!ids.contains(id)) {
      ids.add(id);
    }
  }

  /** This device's id as the user's records know it: the receipt's, else a remaining registration's. */
  private static UUID recordedDevice(FlowStatus records) {
    if (records.receipt().isPresent() && records.receipt().get().registration().deviceId() != null) {
      return records.receipt().get().registration().deviceId();
    }
    return records.remaining().stream().map(RemainingRegistration::registration)
        .map(r -> r.deviceId()).filter(Objects::nonNull).findFirst().orElse(null);
  }

  private static UUID deviceOf(ListedKey registered, List<ListedKey> values) {
    if (registered != null && registered.deviceId() != null) {
      return registered.deviceId();
    }
    return values.stream().map(ListedKey::deviceId).filter(Objects::nonNull).findFirst().orElse(null);
  }

  private static Instant earliest(Instant stored, ListedKey registered, List<ListedKey> values) {
    List<Instant> times = new ArrayList<>();
    if (stored != null) {
      times.add(stored);
    }
    if (registered != null && registered.created() != null) {
      times.add(registered.created());
    }
    values.stream().map(ListedKey::created).filter(Objects::nonNull).forEach(times::add);
    return times.stream().min(Comparator.naturalOrder()).orElse(null);
  }

  /** Builds a {@link KeyInventory}: the store is required, the endpoints and the device id optional. */
  public static final class Builder {
    private KeyContainerStore store;
    private KeyRegistrationEndpoint keyService;
    private KeyRegistrationEndpoint directory;
    private UUID thisDevice;
    private AuditTrail audit = AuditTrail.none();

    private Builder() {}

    /** Where prune records the registrations it removed (and those that remain); default none. */
    public Builder audit(AuditTrail audit) {
      this.audit = Objects.requireNonNull(audit, "audit");
      return this;
    }

    /** The key store of this machine. Required. */
    public Builder store(KeyContainerStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The key service (a DRS-style HTTPS endpoint, or an LDAP one) whose registrations are listed. */
    public Builder keyService(KeyRegistrationEndpoint keyService) {
      this.keyService = Objects.requireNonNull(keyService, "keyService");
      return this;
    }

    /** The directory (an LDAP endpoint) whose msDS-KeyCredentialLink values are listed. */
    public Builder directory(KeyRegistrationEndpoint directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** This device's id (the device context's); default: the one the user's registration receipt names. */
    public Builder thisDevice(UUID thisDevice) {
      this.thisDevice = Objects.requireNonNull(thisDevice, "thisDevice");
      return this;
    }

    public KeyInventory build() {
      if (store == null) {
        throw new IllegalStateException("the inventory was built without a key store: call store(...)");
      }
      return new KeyInventory(this);
    }
  }
}
