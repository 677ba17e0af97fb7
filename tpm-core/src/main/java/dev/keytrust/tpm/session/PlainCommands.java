package dev.keytrust.tpm.session;

import dev.keytrust.error.KeytrustException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The commands {@code TpmSession} sends without an authorization session and without a secret
 * (TPM2_Startup, TPM2_GetRandom, TPM2_GetCapability, TPM2_ReadPublic, TPM2_FlushContext), marshalled
 * here instead of by TSS.Java, whose reflective marshalling cost more CPU per command than the
 * issue 17 budget. The command bytes are the ones TSS.Java sends for the same call; the responses
 * are parsed strictly: the header as {@link ResponseBuffer} checks it, every count and TPM2B size
 * bounded, the capability the one asked for and its list in order, nothing after the last field. A malformed response is
 * a {@code TPM_TRANSPORT} error with a one-line message; response codes are the channel's to map.
 */
public final class PlainCommands {
  static final String STARTUP = "TPM2_Startup";
  static final String GET_RANDOM = "TPM2_GetRandom";
  static final String GET_CAPABILITY = "TPM2_GetCapability";

  /** TPM_SU_CLEAR (Part 2, 6.14). */
  public static final int TPM_SU_CLEAR = 0x0000;

  /** The most GetRandom returns per call here: a TPM2B_DIGEST of SHA-512 (Part 3, 16.1). */
  static final int MAX_RANDOM = 64;
  /** More entries than any capability list holds (MAX_CAP_BUFFER is 1024 bytes: at most 256 handles). */
  static final int MAX_CAP_ENTRIES = 1024;
  /** A TPMT_PUBLIC: an RSA-4096 key's is about 600 bytes. */
  static final int MAX_PUBLIC = 1024;

  private PlainCommands() {}

  /** TPM2_Startup with {@code startupType} (e.g. {@link #TPM_SU_CLEAR}). */
  public static void startup(CommandChannel channel, int startupType) throws KeytrustException {
    byte[] cmd = CommandBuffer.marshal(TpmConstants.TPM_CC_STARTUP, new int[0], null,
        new TpmMarshaller(2).u16(startupType).toByteArray());
    parameters(channel.execute(STARTUP, cmd), "the " + STARTUP + " response").finish();
  }

  /**
   * TPM2_GetRandom of {@code bytesRequested} (1 to {@value #MAX_RANDOM}) bytes: what the TPM
   * returned, at most that many (possibly fewer, possibly none).
   */
  public static byte[] getRandom(CommandChannel channel, int bytesRequested) throws KeytrustException {
    if (bytesRequested < 1 || bytesRequested > MAX_RANDOM) {
      throw new IllegalArgumentException("bytesRequested " + bytesRequested + " is not 1 to " + MAX_RANDOM);
    }
    byte[] cmd = CommandBuffer.marshal(TpmConstants.TPM_CC_GET_RANDOM, new int[0], null,
        new TpmMarshaller(2).u16(bytesRequested).toByteArray());
    TpmUnmarshaller in = parameters(channel.execute(GET_RANDOM, cmd), "the " + GET_RANDOM + " response");
    byte[] random = in.tpm2b(bytesRequested, "randomBytes");
    in.finish();
    return random;
  }

  /**
   * A page of TPM2_GetCapability(TPM_CAP_HANDLES): the handles, ascending (sessions by their index:
   * see {@link #handles(CommandChannel, int, int)}), and moreData.
   */
  public record Handles(int[] handles, boolean moreData) {
    public Handles {
      handles = handles.clone();
    }

    @Override
    public int[] handles() {
      return handles.clone();
    }
  }

  /**
   * TPM2_GetCapability(TPM_CAP_HANDLES) from {@code first}, at most {@code count} handles (a UINT32,
   * sent as it is, as by every GetCapability here; a list longer than it is refused).
   */
  public static Handles handles(CommandChannel channel, int first, int count) throws KeytrustException {
    Capability c = capability(channel, TpmConstants.TPM_CAP_HANDLES, first, count);
    int[] handles = new int[c.count];
    boolean sessionRange = TpmConstants.isSession(first);
    for (int i = 0; i < handles.length; i++) {
      int h = c.in.u32();
      // the reference implementation (swtpm) lists the sessions of either session range (0x02
      // loaded, 0x03 saved) with 0x02 handles: their order is their index's, within the range asked
      c.next(sessionRange && TpmConstants.isSession(h) ? (first & 0xFF000000) | (h & 0x00FFFFFF) : h);
      handles[i] = h;
    }
    c.in.finish();
    return new Handles(handles, c.moreData);
  }

  /**
   * Every handle of {@code first}'s range (TPM2_GetCapability(TPM_CAP_HANDLES) from {@code first},
   * page after page, up to the first handle of another range). A session range (0x02 loaded, 0x03
   * saved) takes the sessions of both types: swtpm, as the reference implementation, lists the saved
   * sessions, and loaded policy sessions, with 0x02 handles; the next page starts after the last
   * handle's index within the range asked.
   */
  public static List<Integer> allHandles(CommandChannel channel, int first) throws KeytrustException {
    boolean sessionRange = TpmConstants.isSession(first);
    List<Integer> out = new ArrayList<>();
    int next = first;
    while (true) {
      Handles r = handles(channel, next, 32);
      int[] page = r.handles();
      for (int h : page) {
        boolean inRange = sessionRange ? TpmConstants.isSession(h)
            : TpmConstants.handleType(h) == TpmConstants.handleType(first);
        if (!inRange) {
          return out;
        }
        out.add(h);
        next = (first & 0xFF000000) | ((h & 0x00FFFFFF) + 1);
      }
      if (!r.moreData() || page.length == 0) {
        return out;
      }
    }
  }

  /**
   * A page of TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) (TPML_TAGGED_TPM_PROPERTY): {@code
   * properties[i]} is a TPM_PT (ascending) whose value is {@code values[i]}.
   */
  public record Properties(int[] properties, int[] values, boolean moreData) {
    public Properties {
      properties = properties.clone();
      values = values.clone();
    }

    @Override
    public int[] properties() {
      return properties.clone();
    }

    @Override
    public int[] values() {
      return values.clone();
    }
  }

  /** TPM2_GetCapability(TPM_CAP_TPM_PROPERTIES) from {@code first}, at most {@code count} properties. */
  public static Properties properties(CommandChannel channel, int first, int count) throws KeytrustException {
    Capability c = capability(channel, TpmConstants.TPM_CAP_TPM_PROPERTIES, first, count);
    int[] properties = new int[c.count];
    int[] values = new int[c.count];
    for (int i = 0; i < c.count; i++) {
      properties[i] = c.next(c.in.u32());
      values[i] = c.in.u32();
    }
    c.in.finish();
    return new Properties(properties, values, c.moreData);
  }

  /**
   * A page of TPM_ALG_IDs: TPM2_GetCapability(TPM_CAP_ALGS)'s algorithms (ascending, their
   * TPMA_ALGORITHM read and dropped) or TPM2_GetCapability(TPM_CAP_ECC_CURVES)'s curves.
   */
  public record Ids(int[] ids, boolean moreData) {
    public Ids {
      ids = ids.clone();
    }

    @Override
    public int[] ids() {
      return ids.clone();
    }
  }

  /** TPM2_GetCapability(TPM_CAP_ALGS) from {@code first}, at most {@code count} algorithms. */
  public static Ids algorithms(CommandChannel channel, int first, int count) throws KeytrustException {
    Capability c = capability(channel, TpmConstants.TPM_CAP_ALGS, first, count);
    int[] ids = new int[c.count];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = c.next(c.in.u16());
      c.in.u32(); // algProperties
    }
    c.in.finish();
    return new Ids(ids, c.moreData);
  }

  /** TPM2_GetCapability(TPM_CAP_ECC_CURVES) from {@code first}, at most {@code count} curves. */
  public static Ids eccCurves(CommandChannel channel, int first, int count) throws KeytrustException {
    Capability c = capability(channel, TpmConstants.TPM_CAP_ECC_CURVES, first, count);
    int[] ids = new int[c.count];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = c.in.u16(); // in the TPM's table order, which Part 3 does not fix
    }
    c.in.finish();
    return new Ids(ids, c.moreData);
  }

  /**
   * TPM2_ReadPublic's result: outPublic (the TPMT_PUBLIC, without its TPM2B size) and the Name the
   * TPM returned, framed strictly; outPublic is parsed only when a template is compared with it
   * ({@link #matchesTemplate}), so that an object of a type keytrust does not parse still reads
   * back (and is then not an object keytrust made).
   */
  public record PublicArea(byte[] outPublic, byte[] name) {
    public PublicArea {
      outPublic = outPublic.clone();
      name = name.clone();
    }

    @Override
    public byte[] outPublic() {
      return outPublic.clone();
    }

    @Override
    public byte[] name() {
      return name.clone();
    }

    /**
     * Whether this public area is {@code template} (a marshalled TPMT_PUBLIC) but for its {@code
     * unique} field. When everything before {@code unique} is the template's, outPublic is parsed
     * strictly and its Name must be the one the TPM returned ({@code TPM_TRANSPORT} otherwise).
     */
    public boolean matchesTemplate(byte[] template) throws KeytrustException {
      Matched m = lastMatch;
      if (m != null && Arrays.equals(m.outPublic, outPublic) && Arrays.equals(m.name, name)
          && Arrays.equals(m.template, template)) {
        return true; // the same bytes as the last public area that matched: the same answer
      }
      byte[] prefix = TpmtPublic.parse(template, "the template").withoutUnique();
      if (outPublic.length < prefix.length || !Arrays.equals(outPublic, 0, prefix.length, prefix, 0, prefix.length)) {
        return false;
      }
      boolean matches = parsed().withoutUnique().length == prefix.length;
      if (matches) {
        lastMatch = new Matched(outPublic, name, template.clone());
      }
      return matches;
    }

    /** outPublic parsed strictly, with the returned Name checked against the one computed from it. */
    TpmtPublic parsed() throws KeytrustException {
      TpmtPublic parsed = TpmtPublic.parse(outPublic, "the " + TpmCommands.READ_PUBLIC + " response (outPublic)");
      if (!Arrays.equals(name, parsed.name())) {
        throw new TpmUnmarshaller(new byte[0], "the " + TpmCommands.READ_PUBLIC + " response")
            .malformed("its name is not the Name of its outPublic");
      }
      return parsed;
    }
  }

  /**
   * The last public area {@link PublicArea#matchesTemplate} accepted, with its Name and the
   * template: the check is a function of these bytes alone, and an SRK is read back with the same
   * bytes on every provisioning and sign-in, so the next equal one skips its two parses and its
   * Name's hash (most of the check's cost until the JIT has compiled it). Immutable arrays, never
   * handed out.
   */
  private record Matched(byte[] outPublic, byte[] name, byte[] template) {}

  private static volatile Matched lastMatch;

  /** TPM2_ReadPublic of {@code handle}, framed strictly (see {@link PublicArea}). */
  public static PublicArea readPublic(CommandChannel channel, int handle) throws KeytrustException {
    byte[] cmd = CommandBuffer.marshal(TpmConstants.TPM_CC_READ_PUBLIC, new int[] {handle}, null, new byte[0]);
    TpmUnmarshaller in = parameters(channel.execute(TpmCommands.READ_PUBLIC, cmd),
        "the " + TpmCommands.READ_PUBLIC + " response");
    byte[] outPublic = in.tpm2b(MAX_PUBLIC, "outPublic");
    if (outPublic.length == 0) {
      throw in.malformed("outPublic is empty");
    }
    byte[] name = in.tpm2b(TpmCommands.MAX_NAME, "name");
    in.tpm2b(TpmCommands.MAX_NAME, "qualifiedName");
    in.finish();
    return new PublicArea(outPublic, name);
  }

  /** TPM2_FlushContext of a loaded object or session. */
  public static void flushContext(CommandChannel channel, int handle) throws KeytrustException {
    TpmCommands.flushContext(channel, handle);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * What follows TPM2_GetCapability's capability field: the list's count (checked) and its entries,
   * whose keys (handle, TPM_PT, TPM_ALG_ID) must ascend from the property asked for (Part 3, 30.2),
   * so that a caller paging on from the last one always moves on.
   */
  private static final class Capability {
    final TpmUnmarshaller in;
    final int count;
    final boolean moreData;
    private long previous;

    Capability(TpmUnmarshaller in, int count, boolean moreData, int property) {
      this.in = in;
      this.count = count;
      this.moreData = moreData;
      this.previous = Integer.toUnsignedLong(property) - 1;
    }

    int next(int key) throws KeytrustException {
      long k = Integer.toUnsignedLong(key);
      if (k <= previous) {
        throw in.malformed(String.format("its list is not in ascending order from the property asked for (0x%X)", k));
      }
      previous = k;
      return key;
    }
  }

  private static Capability capability(CommandChannel channel, int capability, int property, int propertyCount)
      throws KeytrustException {
    byte[] params = new TpmMarshaller(12).u32(capability).u32(property).u32(propertyCount).toByteArray();
    byte[] cmd = CommandBuffer.marshal(TpmConstants.TPM_CC_GET_CAPABILITY, new int[0], null, params);
    TpmUnmarshaller in = parameters(channel.execute(GET_CAPABILITY, cmd),
        "the " + GET_CAPABILITY + " response");
    int moreData = in.u8();
    if (moreData > 1) {
      throw in.malformed("moreData is " + moreData + ", not YES or NO");
    }
    int got = in.u32();
    if (got != capability) {
      throw in.malformed(String.format("it answers capability 0x%X, not 0x%X", got, capability));
    }
    int count = in.u32();
    long most = Math.min(Integer.toUnsignedLong(propertyCount), MAX_CAP_ENTRIES);
    if (count < 0 || count > most) {
      throw in.malformed("it lists " + Integer.toUnsignedString(count) + " entries, more than the " + most
          + " asked for");
    }
    return new Capability(in, count, moreData == 1, property);
  }

  /**
   * The parameter area of a successful response to a command sent without sessions, for reading;
   * {@code what} names the response in errors (a constant: this runs for every command).
   */
  private static TpmUnmarshaller parameters(byte[] response, String what) throws KeytrustException {
    return new TpmUnmarshaller(ResponseBuffer.parse(response, what, 0, false).parameters(), what);
  }
}
