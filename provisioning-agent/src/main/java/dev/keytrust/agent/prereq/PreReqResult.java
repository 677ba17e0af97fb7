package dev.keytrust.agent.prereq;

/** The verdict, with dsregcmd's words. */
public enum PreReqResult {
  /** No line blocks: provisioning may start (event 358). */
  WILL_PROVISION("WillProvision", 358, "Windows Hello for Business provisioning will be launched."),
  /** At least one line blocks: provisioning must not start (event 360). */
  WILL_NOT_PROVISION("WillNotProvision", 360, "Windows Hello for Business provisioning will not be launched.");

  private final String dsregText;
  private final int eventId;
  private final String eventHeadline;

  PreReqResult(String dsregText, int eventId, String eventHeadline) {
    this.dsregText = dsregText;
    this.eventId = eventId;
    this.eventHeadline = eventHeadline;
  }

  /** {@code WillProvision} or {@code WillNotProvision}. */
  public String dsregText() {
    return dsregText;
  }

  /** 358 (launched) or 360 (not launched). */
  public int eventId() {
    return eventId;
  }

  /** The event's first line. */
  public String eventHeadline() {
    return eventHeadline;
  }
}
