/**
 * The lab KDC: a real Kerberos KDC that accepts Windows Hello for Business key trust (PKINIT with a
 * key registered in msDS-KeyCredentialLink), for {@code keytrust lab up --kdc} and the tests.
 *
 * <ul>
 *   <li>{@link dev.keytrust.lab.kdc.KeyTrustKdc}: one running DC (Samba >= 4.24 in a Debian trixie
 *       chroot, realm KEYTRUST.LAB, on 127.0.0.2 only), its files for clients and its lifecycle.
 *   <li>{@link dev.keytrust.lab.kdc.KdcRootImage}: the cached chroot it runs in, built once with
 *       debootstrap (where it is kept, how it is rebuilt).
 *   <li>{@link dev.keytrust.lab.kdc.KdcCertificates}: the KDC's PKI, and self-signed key trust
 *       client certificates (for Heimdal's {@code kinit -C}).
 * </ul>
 *
 * <p>Internal: {@code KdcRecipe} (suite, packages, templates and their hash), {@code Chroot}
 * (commands, mounts, processes and files of a chroot, from the host), {@code KdcProgress}.
 */
package dev.keytrust.lab.kdc;
