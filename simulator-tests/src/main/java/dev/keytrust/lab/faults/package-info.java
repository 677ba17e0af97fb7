/**
 * Fault injection for the lab's services: {@link dev.keytrust.lab.faults.Fault}s (a status and
 * body of the test's choosing, garbage, an oversized body, a delay, after the real work or
 * instead of it) queued in a {@link dev.keytrust.lab.faults.FaultInjector} shape the next
 * responses, one each.
 */
package dev.keytrust.lab.faults;
