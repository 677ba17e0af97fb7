/**
 * JMH benchmarks of keytrust's crypto path, packaged by this module as
 * {@code simulator-tests/<target>/keytrust-benchmarks.jar} and run with {@code scripts/bench.sh}.
 *
 * <ul>
 *   <li>{@link dev.keytrust.bench.KeyIdBenchmark}: key ids (BCRYPT blob + SHA-256) and the PIN to
 *       TPM auth value derivation.
 *   <li>{@link dev.keytrust.bench.SoftwareKeyBenchmark}: the software provider's sign path through
 *       {@link dev.keytrust.key.HelloKeys}, and Argon2id alone, at several Argon2id costs.
 *   <li>{@link dev.keytrust.bench.TpmKeyBenchmark}: TPM sign, wrong-PIN sign, sign with a loaded
 *       key and key creation against a swtpm of the benchmark's own, over MS-simulator TCP and a
 *       Unix socket, each next to the same command bytes sent without TSS.Java ({@link
 *       dev.keytrust.bench.CommandRecorder}).
 *   <li>{@link dev.keytrust.bench.CryptoBenchmark}: key generation and SHA-256 digest sign/verify
 *       with the JDK's providers and Bouncy Castle.
 *   <li>{@link dev.keytrust.bench.KeyCredentialBenchmark}: the KeyCredentialLink codec and
 *       DN-binary, against SHA-256 of the same bytes twice.
 *   <li>{@link dev.keytrust.bench.ProvisioningBenchmark}: the whole provisioning flow on swtpm with
 *       a loopback key service, against its TPM commands sent raw.
 * </ul>
 *
 * <p>{@link dev.keytrust.bench.ToolTimings} measures openssl and tpm2-tools for context, and
 * {@link dev.keytrust.bench.BenchReport} turns a run's JMH JSON into a Markdown report and a PNG
 * chart of the ratios. {@code scripts/bench.sh} runs all three.
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
