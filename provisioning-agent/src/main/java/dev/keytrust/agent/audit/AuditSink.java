package dev.keytrust.agent.audit;

import java.io.IOException;

/** Where audit events go: the audit file, the system log. */
public interface AuditSink {

  /** Writes one event; the caller ({@link AuditTrail}) reports a failure and goes on. */
  void write(AuditEvent event) throws IOException;

  /** Where, in words, e.g. {@code /home/alice/.keytrust/state/audit.jsonl}. */
  String describe();
}
