/**
 * Buffers for secrets: {@link dev.keytrust.secret.SecretBuffer}, allocated by a {@link
 * dev.keytrust.secret.SecretBufferProvider} found through {@link java.util.ServiceLoader} (locked
 * native memory from {@code keytrust-native}), or on the heap with one warning when there is none.
 *
 * <p>What it does not do: it cannot reach copies that the JDK, Bouncy Castle or TSS.Java make of
 * the arrays they are given (see {@link dev.keytrust.secret.SecretBuffer}), does not encrypt memory,
 * and does not protect against code running in the same process or as the same user with a
 * debugger.
 */
package dev.keytrust.secret;
