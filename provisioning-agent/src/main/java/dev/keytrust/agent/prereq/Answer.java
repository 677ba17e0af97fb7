package dev.keytrust.agent.prereq;

/** The value of one prerequisite line, as events 358/360 print it. */
public enum Answer {
  YES("Yes", "YES"),
  NO("No", "NO"),
  /** Not evaluated: the check does not apply, or an earlier check it depends on failed. */
  NOT_TESTED("Not Tested", "NOT TESTED");

  private final String eventText;
  private final String dsregText;

  Answer(String eventText, String dsregText) {
    this.eventText = eventText;
    this.dsregText = dsregText;
  }

  /** {@code Yes}, {@code No} or {@code Not Tested}, as in event 358/360. */
  public String eventText() {
    return eventText;
  }

  /** {@code YES}, {@code NO} or {@code NOT TESTED}, as in dsregcmd's Ngc Prerequisite Check. */
  public String dsregText() {
    return dsregText;
  }
}
