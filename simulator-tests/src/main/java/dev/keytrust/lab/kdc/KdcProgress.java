package dev.keytrust.lab.kdc;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * One line per stage of building and starting the lab KDC ({@code [ 12.3s] packages: ...}), with
 * the seconds since the start, handed to a consumer as the stage begins (so a user watching a
 * two-minute first build sees where it is).
 */
final class KdcProgress {
  private final Consumer<String> out;
  private final long t0 = System.nanoTime();

  KdcProgress(Consumer<String> out) {
    this.out = out;
  }

  /** Seconds since this progress began. */
  double elapsedSeconds() {
    return (System.nanoTime() - t0) / 1e9;
  }

  void stage(String what) {
    out.accept(String.format(Locale.ROOT, "[%6.1fs] %s", elapsedSeconds(), what));
  }
}
