package dev.keytrust.error;

/**
 * A stable error code. The {@link #id()} strings never change meaning once released: scripts and
 * support documents match on them. {@link #badInput()} tells a CLI to exit with 2 instead of 1.
 *
 * <p>Each module has its own enum of codes: {@link CoreErrorCode} for tpm-core and native
 * ({@code KT-0xxx}), {@code dev.keytrust.agent.error.AgentErrorCode} for the provisioning agent
 * ({@code KT-1xxx}). Ids are unique across all of them.
 */
public interface ErrorCode {

  /** The stable identifier, e.g. {@code KT-0201}. */
  String id();

  /** True when the request itself was wrong (CLI exit code 2), false when the operation failed (exit 1). */
  boolean badInput();

  /** The code's constant name, e.g. {@code WRONG_PIN}. */
  String name();
}
