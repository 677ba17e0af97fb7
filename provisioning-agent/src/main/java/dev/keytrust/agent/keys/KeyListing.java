package dev.keytrust.agent.keys;

import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One user's keys, side by side, as {@link KeyInventory#list} found them. Immutable; holds no secret.
 *
 * @param user the key store's user name
 * @param userPrincipalName the UPN the endpoints were asked for
 * @param accountName the account name they accept as well, or null
 * @param thisDevice this device's id, or null when unknown (then no key is "this device" but the stored one)
 * @param storeKey the key in the key store, if any
 * @param keyService what the key service listed, or null when none was given
 * @param directory what the directory listed, or null when none was given
 * @param entries every key by KeyID: the stored key first, then by creation time
 */
public record KeyListing(
    String user,
    String userPrincipalName,
    String accountName,
    UUID thisDevice,
    Optional<KeyContainer> storeKey,
    Source keyService,
    Source directory,
    List<Entry> entries) {

  public KeyListing {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(userPrincipalName, "userPrincipalName");
    Objects.requireNonNull(storeKey, "storeKey");
    entries = List.copyOf(entries);
  }

  /**
   * What one endpoint listed.
   *
   * @param endpoint the endpoint, without credentials
   * @param keys what it holds for the user (empty when it failed)
   * @param error why it could not list, or null
   */
  public record Source(String endpoint, List<ListedKey> keys, KeytrustException error) {
    public Source {
      Objects.requireNonNull(endpoint, "endpoint");
      keys = List.copyOf(keys);
    }

    /** True when it listed (its keys are all it holds for the user). */
    public boolean listed() {
      return error == null;
    }
  }

  /** Whose device a key belongs to. */
  public enum Whose {
    /** The key store's key, or a key with this device's id. */
    THIS_DEVICE("this device"),
    /** A key with another device's id. */
    OTHER_DEVICE("other device"),
    /** A key without a device id, or this device's id is unknown. */
    UNKNOWN_DEVICE("unknown device");

    private final String words;

    Whose(String words) {
      this.words = words;
    }

    /** {@code this device}, {@code other device}, {@code unknown device}. */
    public String words() {
      return words;
    }
  }

  /**
   * One key, wherever it is.
   *
   * @param keyIdHex the KeyID, upper-case hex
   * @param keyIdBase64 the KeyID, Base64 (as Windows shows it)
   * @param inStore true when the key store holds it (the key of this device)
   * @param atKeyService the key service's registration, or null
   * @param inDirectory the directory's values with this KeyID (usually none or one)
   * @param deviceId the device it belongs to, as the endpoints say, or null
   * @param created the earliest creation time known, or null
   * @param whose whose device
   * @param knownToKeyService true or false when the key service listed, null when it did not
   */
  public record Entry(
      String keyIdHex,
      String keyIdBase64,
      boolean inStore,
      ListedKey atKeyService,
      List<ListedKey> inDirectory,
      UUID deviceId,
      Instant created,
      Whose whose,
      Boolean knownToKeyService) {

    public Entry {
      Objects.requireNonNull(keyIdHex, "keyIdHex");
      Objects.requireNonNull(keyIdBase64, "keyIdBase64");
      inDirectory = List.copyOf(inDirectory);
      Objects.requireNonNull(whose, "whose");
    }

    /** A registration or directory value of this device that has no key any more: what prune removes. */
    public boolean orphaned() {
      return whose == Whose.THIS_DEVICE && !inStore && (atKeyService != null || !inDirectory.isEmpty());
    }

    /** Where the key is: {@code key store}, {@code key service}, {@code directory (AzureAD)}, joined. */
    public String sources() {
      List<String> s = new ArrayList<>();
      if (inStore) {
        s.add("key store");
      }
      if (atKeyService != null) {
        s.add("key service");
      }
      for (ListedKey v : inDirectory) {
        s.add("directory (" + v.source() + ")");
      }
      return String.join(", ", s);
    }

    /**
     * The key in words: {@code this device}, {@code other device} or {@code unknown device}; {@code
     * no key here} for an orphan; {@code unknown to the key service} for a directory value whose
     * KeyID the key service (which listed) does not hold.
     */
    public String label() {
      List<String> s = new ArrayList<>();
      s.add(whose.words());
      if (orphaned()) {
        s.add("no key here (orphaned)");
      }
      if (Boolean.FALSE.equals(knownToKeyService) && !inDirectory.isEmpty()) {
        s.add("unknown to the key service");
      }
      return String.join(", ", s);
    }
  }

  /** The entries {@link KeyInventory#prune} removes. */
  public List<Entry> orphans() {
    return entries.stream().filter(Entry::orphaned).toList();
  }
}
