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
 *       Services, after a {@code Tbsi_GetDeviceInfo} check that the TPM is a TPM 2.0. Compiled and
 *       unit-tested everywhere against a stand-in for {@code tbs.dll}; real calls run only on
 *       Windows.
 *   <li>{@link dev.keytrust.nativeio.LockedMemory}: the {@link dev.keytrust.secret.SecretBuffer}
 *       implementation: native memory locked in RAM ({@code mlock} and {@code MADV_DONTDUMP} on
 *       Linux, {@code VirtualLock} on Windows) where allowed, zeroed before it is freed.
 * </ul>
 *
 * <p>All three are found through {@link java.util.ServiceLoader} ({@link
 * dev.keytrust.tpm.TpmTransportProvider}, {@link dev.keytrust.secret.SecretBufferProvider}):
 * nothing calls them directly.
 *
 * <p>What it does not do: it does not marshal, parse or interpret TPM commands (tpm-core does),
 * does not add a resource manager of its own (it relies on the kernel's {@code /dev/tpmrmN} or on
 * TBS), does not encrypt or authenticate the command stream (no HMAC or parameter-encryption
 * sessions; the local device is the trust boundary), does not retry commands, and does not touch
 * the TPM at class-loading time: native libraries are loaded on first use only, so loading these
 * classes is safe on any OS. Java heap copies of secrets are the caller's to wipe.
 */
package dev.keytrust.nativeio;
