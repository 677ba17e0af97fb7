package dev.keytrust.agent.kinit;

import dev.keytrust.secret.InsecureSecretAccess;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * MIT's FILE credential cache format, version 4 (0x0504; MIT's {@code ccache.txt}, also read by
 * Heimdal): the header, the default principal, then one credential. Apache Kerby's writer is not
 * used: it always writes version 3 and encodes addresses and authorization data wrongly (one byte
 * for the type and length).
 */
final class CcacheEncoder {
  static final int VERSION = 0x0504;

  private CcacheEncoder() {}

  /**
   * The whole cache for {@code credentials}, default principal its client. The array holds the
   * session key: the caller zeroes it after writing.
   */
  static byte[] encode(KerberosCredentials credentials) {
    WipingBuffer bytes = new WipingBuffer();
    DataOutputStream out = new DataOutputStream(bytes);
    byte[] key = credentials.sessionKey().copy(InsecureSecretAccess.get());
    try {
      out.writeShort(VERSION);
      out.writeShort(0); // no header tags
      principal(out, credentials.client());
      principal(out, credentials.client());
      principal(out, credentials.server());
      out.writeShort(credentials.sessionKey().etype());
      out.writeInt(key.length);
      out.write(key);
      TicketTimes t = credentials.times();
      time(out, t.authTime());
      time(out, t.startTime());
      time(out, t.endTime());
      time(out, t.renewTill().orElse(Instant.EPOCH));
      out.writeByte(0); // is_skey
      out.writeInt(credentials.flags().bits());
      out.writeInt(credentials.addresses().size());
      for (HostAddress a : credentials.addresses()) {
        out.writeShort(a.type());
        counted(out, a.address());
      }
      out.writeInt(0); // authdata
      counted(out, credentials.ticket());
      out.writeInt(0); // second ticket
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    } finally {
      Arrays.fill(key, (byte) 0);
      bytes.wipe();
    }
  }

  /** A byte buffer whose internal array (which holds the key) is zeroed after use. */
  private static final class WipingBuffer extends ByteArrayOutputStream {
    void wipe() {
      Arrays.fill(buf, (byte) 0);
    }
  }

  private static void principal(DataOutputStream out, KerberosName name) throws IOException {
    out.writeInt(name.nameType());
    out.writeInt(name.components().size());
    counted(out, name.realm().getBytes(StandardCharsets.UTF_8));
    for (String c : name.components()) {
      counted(out, c.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void counted(DataOutputStream out, byte[] data) throws IOException {
    out.writeInt(data.length);
    out.write(data);
  }

  /** Seconds since 1970 as an unsigned 32-bit number. */
  private static void time(DataOutputStream out, Instant t) throws IOException {
    out.writeInt((int) t.getEpochSecond());
  }
}
