/**
 * The swtpm lab: starts real software TPMs for tests and benchmarks, and drives tpm2-tools and
 * openssl against them for cross-checks.
 *
 * <ul>
 *   <li>{@link dev.keytrust.lab.Swtpm}: one swtpm process with its own state directory, on a free
 *       127.0.0.1 port pair (MS-simulator framing) or on a Unix socket (raw TPM stream).
 *   <li>{@link dev.keytrust.lab.Tpm2Tools}: tpm2-tools commands against a TCP swtpm.
 *   <li>{@link dev.keytrust.lab.Openssl}: {@code openssl dgst} signature checks.
 * </ul>
 *
 * <p>What it does not do: it never stops a process it did not start (nothing is killed by name),
 * it does not provision EK certificates (no {@code swtpm_setup}), and it is not a resource
 * manager. swtpm serves exactly one client connection at a time, so a test must close its Java
 * TPM connection before it runs a tpm2-tools command against the same swtpm, and vice versa:
 * otherwise the second client blocks until the first disconnects (or the tool times out).
 *
 * <p>Failures of the lab itself (swtpm missing, a tool exiting non-zero, a timeout) raise the
 * unchecked {@link dev.keytrust.lab.LabException}: they are environment failures of the test
 * rig, not keytrust errors, so they carry no {@code ErrorCode}.
 */
package dev.keytrust.lab;
