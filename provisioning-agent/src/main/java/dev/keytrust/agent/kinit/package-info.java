/**
 * Kerberos sign-in with a Windows Hello for Business key in hybrid key trust: PKINIT (RFC 4556) with
 * the user's TPM-bound key, a certificate made on the fly around it, and a KDC that checks the key
 * against the user's msDS-KeyCredentialLink (Active Directory; Samba 4.24+). Start from {@link
 * dev.keytrust.agent.kinit.KeyTrustKinit}; {@link dev.keytrust.agent.kinit.FileCredentialCache}
 * writes the TGT for MIT and Heimdal tools.
 *
 * <p>Apache Kerby provides the AS-REQ types and the AES enctypes; the PKINIT structures Kerby lacks
 * or gets wrong (PKAuthenticator with RFC 8070's freshnessToken, PA-AS-FRESHNESS, EncASRepPart with
 * RFC 6806's encrypted-pa-data, the FILE ccache) are encoded here with Bouncy Castle's ASN.1.
 */
package dev.keytrust.agent.kinit;
