/**
 * Native access for keytrust through JNA: the TPM transports that need the operating system, and
 * a locked buffer for secrets.
 *
 * <p>What it does:
 *
 * <ul>
 *   <li>{@link dev.keytrust.nativeio.DeviceTransportProvider} ({@code device:PATH}): a Linux
 *       kernel TPM character device, normally {@code /dev/tpmrm0}, with {@code poll()}-based
 *       timeouts. It opens exactly the path it is given and never falls back to another device.
 *   <li>{@link dev.keytrust.nativeio.TbsTransportProvider} ({@code tbs:}): the Windows TPM Base
 *       Services.
 *   <li>{@link dev.keytrust.nativeio.LockedMemory}: a native buffer for PIN-derived bytes, locked
 *       in RAM on Linux where allowed, zeroed before it is freed.
 * </ul>
 *
 * <p>Both transports are found through {@link java.util.ServiceLoader} as {@link
 * dev.keytrust.tpm.TpmTransportProvider} implementations: nothing calls them directly.
 *
 * <p>What it does not do: it does not marshal, parse or interpret TPM commands (tpm-core does),
 * does not add a resource manager of its own (it relies on the kernel's {@code /dev/tpmrmN} or on
 * TBS), does not encrypt or authenticate the command stream (no HMAC or parameter-encryption
 * sessions; the local device is the trust boundary), does not retry commands, and does not touch
 * the TPM at class-loading time: native libraries are loaded on first use only, so loading these
 * classes is safe on any OS. Java heap copies of secrets are the caller's to wipe.
 */
package dev.keytrust.nativeio;
