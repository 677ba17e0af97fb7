package dev.keytrust.agent.kinit;

/** The pre-authentication data types kinit sends or reads (IANA Kerberos parameters). */
final class PaType {
  /** PA-PK-AS-REQ (RFC 4556). */
  static final int PK_AS_REQ = 16;
  /** PA-PK-AS-REP (RFC 4556). */
  static final int PK_AS_REP = 17;
  /** PA-ETYPE-INFO2 (RFC 4120). */
  static final int ETYPE_INFO2 = 19;
  /** PA-PAC-REQUEST (MS-KILE): ask for a PAC in the ticket. */
  static final int PAC_REQUEST = 128;
  /** PA-AS-FRESHNESS (RFC 8070): the KDC's freshness token; empty in a request, to say we support it. */
  static final int AS_FRESHNESS = 150;

  private PaType() {}
}
