/**
 * JMH benchmarks of keytrust's crypto path, packaged by this module as
 * {@code simulator-tests/<target>/keytrust-benchmarks.jar} and run with {@code scripts/bench.sh}.
 *
 * <ul>
 *   <li>{@link dev.keytrust.bench.KeyIdBenchmark}: key ids (BCRYPT blob + SHA-256) and the PIN to
 *       TPM auth value derivation.
 *   <li>{@link dev.keytrust.bench.SoftwareKeyBenchmark}: the software provider's sign path through
 *       {@link dev.keytrust.key.HelloKeys}, and Argon2id alone, at several Argon2id costs.
 *   <li>{@link dev.keytrust.bench.TpmKeyBenchmark}: TPM sign and key creation against a swtpm of
 *       the benchmark's own, and the bare command round trip over MS-simulator TCP and a Unix
 *       socket.
 * </ul>
 *
 * <p>Every state creates its own temporary directories and, for the TPM benchmarks, its own swtpm
 * (through {@link dev.keytrust.lab.Swtpm}), and removes or stops them in its trial tear-down. A
 * swtpm serves one client at a time, so each benchmark uses a single {@link
 * dev.keytrust.tpm.TpmSession} with its swtpm. Nothing here runs during {@code mvn verify}.
 *
 * <p>These are measurements of this code on the machine at hand, not assertions: there are no
 * timed tests anywhere in keytrust. See {@code docs/benchmarks.md} for numbers and how to read
 * them.
 */
package dev.keytrust.bench;
