package dev.keytrust.credential;

import dev.keytrust.internal.StrictUtf8;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict CBOR reader (RFC 8949) for the COSE key and extensions inside WebAuthn
 * authenticator data. Definite lengths only (CTAP2 forbids indefinite ones), no tags, integers
 * within {@code long}, map keys integers or text and never repeated. Values: {@link Long}, {@code
 * byte[]}, {@link String}, {@code List<Object>}, {@code Map<Object, Object>}, {@link Boolean},
 * {@link Double}, {@link #NULL}, {@link #UNDEFINED}. At most {@link #MAX_DEPTH} nesting levels.
 */
final class Cbor {
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };
  static final Object UNDEFINED = new Object() {
    @Override
    public String toString() {
      return "undefined";
    }
  };
  static final int MAX_DEPTH = 16;

  private final byte[] data;
  private int pos;

  private Cbor(byte[] data, int start) {
    this.data = data;
    this.pos = start;
  }

  /** One decoded item and the offset just after it. */
  record Item(Object value, int end) {}

  /** Reads the data item that starts at {@code start}; bytes after it are left to the caller. */
  static Item read(byte[] data, int start) throws StructureException {
    Cbor c = new Cbor(data, start);
    Object v = c.item(0);
    return new Item(v, c.pos);
  }

  private StructureException error(String what) {
    return new StructureException("CBOR: " + what + " at offset " + pos);
  }

  private int u8() throws StructureException {
    if (pos >= data.length) {
      throw error("unexpected end of data");
    }
    return data[pos++] & 0xFF;
  }

  /** The argument of an initial byte; -1 marks a value above Long.MAX_VALUE. */
  private long argument(int info) throws StructureException {
    if (info < 24) {
      return info;
    }
    int n = switch (info) {
      case 24 -> 1;
      case 25 -> 2;
      case 26 -> 4;
      case 27 -> 8;
      case 31 -> throw error("indefinite length is not allowed");
      default -> throw error("reserved additional information " + info);
    };
    long v = 0;
    for (int i = 0; i < n; i++) {
      v = (v << 8) | u8();
    }
    return n == 8 && v < 0 ? -1 : v;
  }

  private int length(long arg, int minBytesPerElement) throws StructureException {
    if (arg < 0 || arg > (long) (data.length - pos) / minBytesPerElement) {
      throw error("length " + (arg < 0 ? "above 2^63" : arg) + " exceeds the remaining data");
    }
    return (int) arg;
  }

  private Object item(int depth) throws StructureException {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    int initial = u8();
    int major = initial >>> 5;
    int info = initial & 0x1F;
    switch (major) {
      case 0: {
        long v = argument(info);
        if (v < 0) {
          throw error("unsigned integer above 2^63-1");
        }
        return v;
      }
      case 1: {
        long v = argument(info);
        if (v < 0) {
          throw error("negative integer below -2^63");
        }
        return -1 - v;
      }
      case 2: {
        int n = length(argument(info), 1);
        byte[] out = new byte[n];
        System.arraycopy(data, pos, out, 0, n);
        pos += n;
        return out;
      }
      case 3: {
        int n = length(argument(info), 1);
        try {
          String s = StrictUtf8.decode(data, pos, n);
          pos += n;
          return s;
        } catch (CharacterCodingException e) {
          throw error("text string is not valid UTF-8");
        }
      }
      case 4: {
        int n = length(argument(info), 1);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          out.add(item(depth + 1));
        }
        return Collections.unmodifiableList(out);
      }
      case 5: {
        int n = length(argument(info), 2);
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          int keyAt = pos;
          Object key = item(depth + 1);
          if (!(key instanceof Long) && !(key instanceof String)) {
            pos = keyAt;
            throw error("map key is neither an integer nor a text string");
          }
          Object value = item(depth + 1);
          if (out.putIfAbsent(key, value) != null) {
            pos = keyAt;
            throw error("duplicate map key " + key);
          }
        }
        return Collections.unmodifiableMap(out);
      }
      case 6:
        throw error("tags are not allowed");
      default:
        return simple(info);
    }
  }

  private Object simple(int info) throws StructureException {
    switch (info) {
      case 20:
        return Boolean.FALSE;
      case 21:
        return Boolean.TRUE;
      case 22:
        return NULL;
      case 23:
        return UNDEFINED;
      case 25:
        return halfToDouble((int) argument(info));
      case 26:
        return (double) Float.intBitsToFloat((int) argument(info));
      case 27: {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
          bits = (bits << 8) | u8();
        }
        return Double.longBitsToDouble(bits);
      }
      default:
        pos--;
        throw error("unsupported simple value " + info);
    }
  }

  /** IEEE 754 binary16 to double (RFC 8949 appendix D). */
  static double halfToDouble(int half) {
    int exp = (half >> 10) & 0x1F;
    int mant = half & 0x3FF;
    double val;
    if (exp == 0) {
      val = Math.scalb((double) mant, -24);
    } else if (exp != 31) {
      val = Math.scalb((double) (mant + 1024), exp - 25);
    } else {
      val = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    }
    return (half & 0x8000) != 0 ? -val : val;
  }
}
