/**
 * Internals shared by the agent's packages (per-user state files, the loopback check, the
 * cause-chain look-up). Not API: types here may change without notice; nothing outside {@code
 * dev.keytrust.agent} should use them, and no public signature of an API package mentions them.
 */
package dev.keytrust.agent.internal;
