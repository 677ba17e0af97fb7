/**
 * Internal to keytrust, not API: small helpers shared by keytrust's own modules ({@link
 * dev.keytrust.internal.Sha256}). Public only so that those modules can use it; it may change or
 * go away in any release without notice, and code outside keytrust must not use it.
 */
package dev.keytrust.internal;
