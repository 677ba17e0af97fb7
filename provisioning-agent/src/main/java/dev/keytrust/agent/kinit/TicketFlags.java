package dev.keytrust.agent.kinit;

import java.util.ArrayList;
import java.util.List;

/**
 * A ticket's flags (RFC 4120 section 5.3) as the 32-bit value MIT's credential cache stores: bit 0
 * of the ASN.1 BIT STRING is the most significant bit.
 *
 * @param bits the flags
 */
public record TicketFlags(int bits) {
  private static final String[] NAMES = {"reserved", "forwardable", "forwarded", "proxiable",
      "proxy", "may-postdate", "postdated", "invalid", "renewable", "initial", "pre-authent",
      "hw-authent", "transited-policy-checked", "ok-as-delegate", "anonymous", "enc-pa-rep"};

  public boolean forwardable() {
    return has(1);
  }

  public boolean renewable() {
    return has(8);
  }

  public boolean initial() {
    return has(9);
  }

  public boolean preAuthenticated() {
    return has(10);
  }

  /** The names of the flags set, in bit order, e.g. {@code [forwardable, renewable, initial, pre-authent]}. */
  public List<String> names() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      if (has(i)) {
        out.add(i < NAMES.length ? NAMES[i] : "bit-" + i);
      }
    }
    return List.copyOf(out);
  }

  private boolean has(int bit) {
    return (bits & (0x80000000 >>> bit)) != 0;
  }

  @Override
  public String toString() {
    return String.join(" ", names());
  }
}
