/**
 * Internal to keytrust, not API: a strict RFC 8259 JSON reader ({@link
 * dev.keytrust.internal.json.StrictJson}) shared by the modules of keytrust (the KeyCredentialLink
 * codec's FIDO key material, the DRS endpoint's responses, the push MFA protocol). It is public only
 * so that those modules can use it; it may change or go away in any release without notice, and
 * code outside keytrust must not use it.
 */
package dev.keytrust.internal.json;
