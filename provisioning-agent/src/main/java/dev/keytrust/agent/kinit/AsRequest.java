package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustBugException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kerby.kerberos.kerb.KrbCodec;
import org.apache.kerby.kerberos.kerb.KrbException;
import org.apache.kerby.kerberos.kerb.type.KerberosTime;
import org.apache.kerby.kerberos.kerb.type.base.EncryptionType;
import org.apache.kerby.kerberos.kerb.type.base.NameType;
import org.apache.kerby.kerberos.kerb.type.base.PrincipalName;
import org.apache.kerby.kerberos.kerb.type.kdc.AsReq;
import org.apache.kerby.kerberos.kerb.type.kdc.KdcOption;
import org.apache.kerby.kerberos.kerb.type.kdc.KdcOptions;
import org.apache.kerby.kerberos.kerb.type.kdc.KdcReqBody;
import org.apache.kerby.kerberos.kerb.type.pa.PaData;

/**
 * An AS-REQ for a TGT (RFC 4120 section 5.4.1), built with Apache Kerby's types: forwardable,
 * renewable and canonicalize, the AES enctypes only (the reply key and the session key),
 * {@link #LIFETIME} and {@link #RENEW_LIFETIME} asked for (the KDC caps both).
 */
final class AsRequest {
  /** The ticket lifetime asked for (Active Directory's default cap is 10 hours). */
  static final Duration LIFETIME = Duration.ofHours(10);
  /** The renewable lifetime asked for (Active Directory's default cap is 7 days). */
  static final Duration RENEW_LIFETIME = Duration.ofDays(7);
  /** aes256-cts-hmac-sha1-96 and aes128-cts-hmac-sha1-96, strongest first. */
  static final List<EncryptionType> ETYPES =
      List.of(EncryptionType.AES256_CTS_HMAC_SHA1_96, EncryptionType.AES128_CTS_HMAC_SHA1_96);
  /** KERB-PA-PAC-REQUEST { include-pac [0] TRUE }. */
  private static final byte[] INCLUDE_PAC = {0x30, 0x05, (byte) 0xA0, 0x03, 0x01, 0x01, (byte) 0xFF};

  private final KdcReqBody body;
  private final byte[] bodyDer;

  private AsRequest(KdcReqBody body, byte[] bodyDer) {
    this.body = body;
    this.bodyDer = bodyDer;
  }

  /** The request body for {@code client}'s TGT, made at {@code now}, with {@code nonce} (0..2^31-1). */
  static AsRequest forTgt(KerberosName client, Instant now, int nonce) {
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce must be 0..2^31-1");
    }
    KdcReqBody body = new KdcReqBody();
    KdcOptions options = new KdcOptions();
    options.setFlag(KdcOption.FORWARDABLE);
    options.setFlag(KdcOption.RENEWABLE);
    options.setFlag(KdcOption.CANONICALIZE);
    options.setFlag(KdcOption.RENEWABLE_OK);
    body.setKdcOptions(options);
    body.setCname(new PrincipalName(client.components(), NameType.fromValue(client.nameType())));
    body.setRealm(client.realm());
    body.setSname(new PrincipalName(List.of("krbtgt", client.realm()), NameType.NT_SRV_INST));
    body.setTill(new KerberosTime(now.plus(LIFETIME).toEpochMilli()));
    body.setRtime(new KerberosTime(now.plus(RENEW_LIFETIME).toEpochMilli()));
    body.setNonce(nonce);
    body.setEtypes(ETYPES);
    try {
      return new AsRequest(body, KrbCodec.encode(body));
    } catch (KrbException e) {
      throw new KeytrustBugException("encoding KDC-REQ-BODY failed", e);
    }
  }

  /** paChecksum: SHA-1 over the DER KDC-REQ-BODY. */
  byte[] paChecksum() {
    try {
      return MessageDigest.getInstance("SHA-1").digest(bodyDer);
    } catch (NoSuchAlgorithmException e) {
      throw new KeytrustBugException("SHA-1 missing from the JDK", e);
    }
  }

  /** The first request: no pre-authentication, says it takes freshness tokens and wants a PAC. */
  byte[] probe() {
    return encode(List.of(new PaEntry(PaType.PAC_REQUEST, INCLUDE_PAC),
        new PaEntry(PaType.AS_FRESHNESS, new byte[0])));
  }

  /** The PKINIT request: PA-PK-AS-REQ first. */
  byte[] withPkinit(byte[] paPkAsReq) {
    return encode(List.of(new PaEntry(PaType.PK_AS_REQ, paPkAsReq),
        new PaEntry(PaType.PAC_REQUEST, INCLUDE_PAC),
        new PaEntry(PaType.AS_FRESHNESS, new byte[0])));
  }

  private byte[] encode(List<PaEntry> entries) {
    AsReq req = new AsReq();
    PaData padata = new PaData();
    for (PaEntry e : entries) {
      padata.addElement(new KerbyPaDataEntry(e));
    }
    req.setPaData(padata);
    req.setReqBody(body);
    try {
      return KrbCodec.encode(req);
    } catch (KrbException e) {
      throw new KeytrustBugException("encoding AS-REQ failed", e);
    }
  }
}
