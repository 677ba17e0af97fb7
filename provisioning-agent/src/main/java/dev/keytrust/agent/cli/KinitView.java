package dev.keytrust.agent.cli;

import dev.keytrust.agent.kinit.KerberosCredentials;
import dev.keytrust.agent.kinit.PkinitDetails;
import dev.keytrust.agent.kinit.TicketTimes;
import dev.keytrust.key.KeyContainer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code keytrust kinit} prints: the TGT's public data, never the session key. */
final class KinitView {
  private KinitView() {}

  static String text(KerberosCredentials tgt, KeyContainer key, Path cache) {
    TicketTimes t = tgt.times();
    PkinitDetails d = tgt.details();
    return new Report().section("Kerberos Sign-in (PKINIT, key trust)")
        .row("User", key.user())
        .row("Key id", key.keyIdHex())
        .row("Key provider", key.provider().id() + " " + key.algorithm().id())
        .row("Client", tgt.client())
        .row("KDC", d.kdc())
        .row("KDC certificate", d.kdcCertificateSubject())
        .row("KDC certificate issuer", d.kdcCertificateIssuer())
        .row("Key exchange", d.dhGroup())
        .row("Freshness token", Report.yesNo(d.freshnessToken()))
        .section("Ticket-Granting Ticket")
        .row("Service", tgt.server())
        .row("Session key", tgt.sessionKey().etypeName())
        .row("Flags", tgt.flags())
        .row("Valid from", t.startTime())
        .row("Expires", t.endTime())
        .row("Renew until", t.renewTill().map(Object::toString).orElse("not renewable"))
        .row("Credential cache", "FILE:" + cache)
        .section("Result")
        .row("Result", "SUCCESS: signed in; klist shows the ticket, kvno and GSSAPI applications use it")
        .render();
  }

  static Map<String, Object> json(KerberosCredentials tgt, KeyContainer key, Path cache) {
    TicketTimes t = tgt.times();
    PkinitDetails d = tgt.details();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("outcome", "SUCCESS");
    o.put("user", key.user());
    o.put("keyId", key.keyIdHex());
    o.put("provider", key.provider().id());
    o.put("algorithm", key.algorithm().id());
    o.put("client", tgt.client().toString());
    o.put("realm", tgt.client().realm());
    o.put("server", tgt.server().toString());
    o.put("kdc", d.kdc().toString());
    o.put("kdcCertificateSubject", d.kdcCertificateSubject());
    o.put("kdcCertificateIssuer", d.kdcCertificateIssuer());
    o.put("dhGroup", d.dhGroup());
    o.put("freshnessToken", d.freshnessToken());
    o.put("sessionKeyEtype", tgt.sessionKey().etypeName());
    o.put("flags", tgt.flags().names());
    o.put("authTime", t.authTime().toString());
    o.put("startTime", t.startTime().toString());
    o.put("endTime", t.endTime().toString());
    o.put("renewTill", t.renewTill().map(Object::toString).orElse(null));
    o.put("ccache", "FILE:" + cache);
    return o;
  }
}
