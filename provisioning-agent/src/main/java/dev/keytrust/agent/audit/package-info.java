/**
 * Events that outlive the terminal: {@link dev.keytrust.agent.audit.AuditTrail} writes the flow's and
 * sign-in's structured events, with the stable ids of {@link dev.keytrust.agent.audit.AuditEventId}
 * (358/360 for the prerequisite result as Windows; keytrust's own 9000-9099), as JSON lines to an
 * owner-only, size-bounded file under the state folder ({@link dev.keytrust.agent.audit.AuditFile})
 * and to the system log where the machine has one ({@link dev.keytrust.agent.audit.SystemLog}).
 * docs/audit-events.md describes the ids and fields. No event holds a secret.
 */
package dev.keytrust.agent.audit;
