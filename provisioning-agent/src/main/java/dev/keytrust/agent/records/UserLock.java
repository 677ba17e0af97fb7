package dev.keytrust.agent.records;

/** A held user lock ({@link UserRecords#lock}); closing it releases the lock and never throws. */
public interface UserLock extends AutoCloseable {
  @Override
  void close();
}
