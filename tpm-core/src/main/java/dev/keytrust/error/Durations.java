package dev.keytrust.error;

import java.time.Duration;

/** Durations in messages, one format everywhere keytrust shows a wait or an interval. */
public final class Durations {
  private Durations() {}

  /**
   * "15 min", "14 min 59 s", "1 h 2 min", "42 s", "0 s" (seconds rounded up, no seconds past an
   * hour); past a day "3 d 4 h" (no minutes).
   */
  public static String human(Duration d) {
    long s = Math.max(0, d.getSeconds() + (d.getNano() > 0 ? 1 : 0));
    if (s >= 86_400) {
      long days = s / 86_400;
      long hours = (s % 86_400) / 3600;
      return days + " d" + (hours > 0 ? " " + hours + " h" : "");
    }
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    StringBuilder b = new StringBuilder();
    if (h > 0) {
      b.append(h).append(" h");
    }
    if (m > 0) {
      b.append(b.length() > 0 ? " " : "").append(m).append(" min");
    }
    if (sec > 0 && h == 0) {
      b.append(b.length() > 0 ? " " : "").append(sec).append(" s");
    }
    return b.length() == 0 ? "0 s" : b.toString();
  }
}
