package dev.keytrust.lab.keyservice;

import dev.keytrust.internal.Sha256;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key service's store of registrations, by key id (SHA-256 of the key material), in
 * registration order, and the listeners told about its changes (the directory sync job watches
 * it). A key belongs to the user who registered it first; the same user registering it again
 * changes nothing. Thread-safe; listeners are called after the change, outside the lock.
 */
public final class KeyRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRegistry.class);

  /** The key is registered to another user than the one asking. */
  public static final class OwnedByAnotherUser extends Exception {
    private static final long serialVersionUID = 1L;

    OwnedByAnotherUser() {
      super(null, null, false, false);
    }
  }

  /**
   * A registration.
   *
   * @param key the registered key
   * @param created true when this call registered it, false when it was there already
   */
  public record Registration(RegisteredKey key, boolean created) {}

  private final Clock clock;
  private final Object lock = new Object();
  private final Map<String, RegisteredKey> byKeyId = new LinkedHashMap<>(); // Base64 key id
  private final List<RegistrationListener> listeners = new CopyOnWriteArrayList<>();

  /** An empty registry; {@code clock} dates the registrations. */
  public KeyRegistry(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Registers {@code keyMaterial} for {@code upn} on {@code deviceId}, with a new kid, unless that
   * user holds it already (then nothing changes).
   *
   * @throws OwnedByAnotherUser when another user (UPNs compared ignoring case) holds it
   */
  public Registration register(String upn, UUID deviceId, byte[] keyMaterial)
      throws OwnedByAnotherUser {
    byte[] keyId = Sha256.of(keyMaterial);
    String id = Base64.getEncoder().encodeToString(keyId);
    RegisteredKey key;
    boolean created;
    synchronized (lock) {
      RegisteredKey existing = byKeyId.get(id);
      if (existing != null && !existing.upn().equalsIgnoreCase(upn)) {
        throw new OwnedByAnotherUser();
      }
      created = existing == null;
      key =
          created
              ? new RegisteredKey(
                  UUID.randomUUID(), upn, deviceId, keyMaterial, keyId, clock.instant())
              : existing;
      if (created) {
        byKeyId.put(id, key);
      }
    }
    LOG.info("lab key service: {} key {} for {} (kid {})",
        created ? "registered" : "already holds", id, key.upn(), key.kid());
    if (created) {
      notifyListeners(l -> l.registered(key));
    }
    return new Registration(key, created);
  }

  /**
   * Removes {@code upn}'s key with this key id.
   *
   * @return the removed registration, or empty when there was none
   * @throws OwnedByAnotherUser when another user holds the key (it stays)
   */
  public Optional<RegisteredKey> remove(String upn, byte[] keyId) throws OwnedByAnotherUser {
    String id = Base64.getEncoder().encodeToString(keyId);
    RegisteredKey removed;
    synchronized (lock) {
      RegisteredKey existing = byKeyId.get(id);
      if (existing != null && !existing.upn().equalsIgnoreCase(upn)) {
        throw new OwnedByAnotherUser();
      }
      removed = byKeyId.remove(id);
    }
    if (removed != null) {
      LOG.info("lab key service: removed key {} of {} (kid {})", id, removed.upn(), removed.kid());
      notifyListeners(l -> l.removed(removed));
    }
    return Optional.ofNullable(removed);
  }

  /** The registered keys, in registration order. */
  public List<RegisteredKey> registrations() {
    synchronized (lock) {
      return List.copyOf(byKeyId.values());
    }
  }

  /** The registration of the key with this key id (SHA-256 of the material), if any. */
  public Optional<RegisteredKey> registration(byte[] keyId) {
    synchronized (lock) {
      return Optional.ofNullable(byKeyId.get(Base64.getEncoder().encodeToString(keyId)));
    }
  }

  public void addListener(RegistrationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public void removeListener(RegistrationListener listener) {
    listeners.remove(listener);
  }

  private interface ListenerCall {
    void call(RegistrationListener l);
  }

  private void notifyListeners(ListenerCall call) {
    for (RegistrationListener l : listeners) {
      try {
        call.call(l);
      } catch (RuntimeException e) {
        LOG.warn("lab key service: a registration listener failed", e);
      }
    }
  }
}
