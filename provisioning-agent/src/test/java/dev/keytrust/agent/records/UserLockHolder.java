package dev.keytrust.agent.records;

import dev.keytrust.key.KeyContainerStore;
import java.nio.file.Path;

/**
 * Run in a JVM of its own by {@link UserRecordsTest}: takes the user lock of {@code args[1]} in the
 * store at {@code args[0]}, says {@code holder: locked} on stdout and then waits until it is killed.
 */
final class UserLockHolder {
  private UserLockHolder() {}

  public static void main(String[] args) throws Exception {
    UserLock lock = new UserRecords(new KeyContainerStore(Path.of(args[0]))).lock(args[1]);
    System.out.println("holder: locked");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
    lock.close();
  }
}
