package dev.keytrust.agent.keys;

import java.util.List;
import java.util.Objects;

/**
 * What {@link KeyInventory#prune} did, one line per registration or directory value.
 *
 * @param user the key store's user name
 * @param removals every removal tried, in order
 */
public record PruneResult(String user, List<Removal> removals) {

  public PruneResult {
    Objects.requireNonNull(user, "user");
    removals = List.copyOf(removals);
  }

  /** How one removal ended. */
  public enum Outcome {
    /** Removed (or already gone). */
    REMOVED,
    /** The endpoint cannot remove keys (KT-1615): it stays there; remove it with the service's tools. */
    REMAINS,
    /** It failed; running prune again retries it. */
    FAILED
  }

  /**
   * One removal.
   *
   * @param keyIdBase64 the KeyID
   * @param where {@code key service} or {@code directory}
   * @param endpoint the endpoint, without credentials
   * @param outcome how it ended
   * @param errorCode the error's code (KT-....), or null when removed
   * @param message the error's message, or null when removed
   */
  public record Removal(String keyIdBase64, String where, String endpoint, Outcome outcome, String errorCode,
      String message) {
    public Removal {
      Objects.requireNonNull(keyIdBase64, "keyIdBase64");
      Objects.requireNonNull(where, "where");
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** True when every removal ended REMOVED (also when there was nothing to remove). */
  public boolean complete() {
    return removals.stream().allMatch(r -> r.outcome() == Outcome.REMOVED);
  }

  /** How many ended {@code outcome}. */
  public long count(Outcome outcome) {
    return removals.stream().filter(r -> r.outcome() == outcome).count();
  }
}
