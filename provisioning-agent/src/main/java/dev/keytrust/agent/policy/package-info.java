/**
 * The PassportForWork policy as keytrust reads it: {@link dev.keytrust.agent.policy.Setting}s with
 * their ranges and defaults, policy files per (scope, source) in a policy directory, and {@link
 * dev.keytrust.agent.policy.PolicyResolver}, which applies Windows' precedence (user over computer,
 * group policy over MDM) and reports each effective value's origin in an {@link
 * dev.keytrust.agent.policy.EffectivePolicy}. File format: docs/policy.md.
 *
 * <p>This package does not read the Windows registry or talk to an MDM server, and it does not
 * check PINs: it yields the rules as a {@link dev.keytrust.agent.pin.PinPolicy}.
 */
package dev.keytrust.agent.policy;
