package dev.keytrust.agent.flow;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyContainerStore;
import java.util.Collection;
import java.util.List;

/**
 * The user's record of registrations an endpoint could not remove ({@link RemainingRegistration}),
 * for code outside the flow that removes them another way ({@code keytrust keys prune}). The caller
 * holds the user's lock ({@link dev.keytrust.agent.records.UserRecords#lock}).
 */
public final class RemainingRegistrations {
  private RemainingRegistrations() {}

  /** The registrations on record, oldest first. */
  public static List<RemainingRegistration> read(KeyContainerStore store, String user) throws KeytrustException {
    return new FlowRecords(store).remaining(user);
  }

  /** Drops the registrations of these keys (upper-case hex key ids) from the record: they are gone. */
  public static void forget(KeyContainerStore store, String user, Collection<String> keyIdsHex)
      throws KeytrustException {
    FlowRecords records = new FlowRecords(store);
    List<RemainingRegistration> left = records.remaining(user).stream()
        .filter(r -> !keyIdsHex.contains(r.keyIdHex())).toList();
    records.writeRemaining(user, left);
  }
}
