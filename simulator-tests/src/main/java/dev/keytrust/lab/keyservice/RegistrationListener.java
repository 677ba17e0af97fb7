package dev.keytrust.lab.keyservice;

/** Told about registry changes, on the request thread, after the change. */
public interface RegistrationListener {
  /** A key was registered for the first time. */
  void registered(RegisteredKey key);

  /** A key was removed. */
  default void removed(RegisteredKey key) {}
}
