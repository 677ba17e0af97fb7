package dev.keytrust.credential;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustBugException;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.internal.Sha256;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * One msDS-KeyCredentialLink value (KEYCREDENTIALLINK_BLOB, MS-ADTS 2.2.20), as directories really
 * hold it: versions 0, 0x100 and 0x200, entries in any order, duplicates and unknown identifiers
 * kept. {@link #toByteArray()} gives back the parsed bytes exactly.
 *
 * <p>Integrity is reported, never repaired: {@link #keyHashValid()} and {@link
 * #keyIdMatchesKeyMaterial()}, computed when first asked. Typed views use the first entry of each identifier. Key material
 * that cannot be decoded is {@link UnknownKeyMaterial}, not an error; a blob whose framing is broken
 * (or whose KeySource, DeviceId or timestamp entries have the wrong size) is a {@link
 * KeyCredentialFormatException}. Nothing else is thrown by {@link #parse(byte[])}.
 *
 * <p>The string form {@code B:<count>:<hex>:<DN>} is {@link DnBinary}: {@code
 * KeyCredential.parse(DnBinary.parse(s).binary())}.
 *
 * <pre>{@code
 * // read a value as a directory holds it
 * KeyCredential kc = KeyCredential.parse(DnBinary.parse(value).binary());
 * boolean consistent = kc.keyHashValid().orElse(false) && kc.keyIdMatchesKeyMaterial().orElse(false);
 *
 * // build a user key's value (version 2, NGC, KeySource AD) and its DN-Binary string
 * KeyCredential mine = KeyCredential.build(publicKey, KeyCredentialOptions.userKey(deviceId, now));
 * String attributeValue = mine.toDnBinary(userDn).format();
 * }</pre>
 *
 * <p>Instances are immutable; all byte arrays are copies.
 */
public final class KeyCredential {
  /** Legacy version 0 (4-byte aligned entries, .NET ticks). */
  public static final int VERSION_0 = 0;
  /** Version 0x100 (device keys of 2022: GUID-like KeyID, .NET ToBinary timestamps). */
  public static final int VERSION_1 = 0x100;
  /** KEY_CREDENTIAL_LINK_VERSION_2, the only version the specification allows and the one written. */
  public static final int VERSION_2 = 0x200;

  private static final int VERSION_BYTES = 4;
  private static final int ENTRY_HEADER_BYTES = 3;
  private static final int V0_ALIGNMENT = 4;
  private static final int GUID_BYTES = 16;
  private static final int TIMESTAMP_BYTES = 8;
  private static final byte[] NO_PADDING = new byte[0];
  // the identifiers of EntryType, as constants for the parser's one pass
  private static final int ID_KEY_ID = 0x01;
  private static final int ID_KEY_HASH = 0x02;
  private static final int ID_KEY_MATERIAL = 0x03;
  private static final int ID_KEY_USAGE = 0x04;
  private static final int ID_KEY_SOURCE = 0x05;
  private static final int ID_DEVICE_ID = 0x06;
  private static final int ID_CUSTOM_KEY_INFORMATION = 0x07;
  private static final int ID_LAST_LOGON = 0x08;
  private static final int ID_CREATION = 0x09;
  private static final int FIRST_SLOTS = 0x0A;
  /**
   * Most entries a blob may have. A key credential has at most nine kinds of entry; real values
   * hold nine or ten, and test tools add a few unknown or repeated ones. The bound keeps a huge
   * value of empty entries from costing time and memory.
   */
  public static final int MAX_ENTRIES = 64;

  private final byte[] original;
  private final int version;
  private final List<KeyCredentialEntry> entries;
  /** Per entry, the version-0 alignment bytes that followed its value (empty for other versions). */
  private final List<byte[]> paddings;

  private final byte[] keyId;
  private final byte[] keyHash;
  /** Where the bytes the KeyHash covers start in {@link #original} (-1 without a KeyHash). */
  private final int hashEnd;
  /** True when {@link #build} made the entries: KeyID and KeyHash hold by construction. */
  private final boolean built;
  /**
   * The two integrity checks, computed on first use ({@link #keyHashValid()}, {@link
   * #keyIdMatchesKeyMaterial()}), as the key material is decoded: reading a value's fields does
   * not pay for two SHA-256 passes it may never ask for. Deterministic, so a race only computes
   * twice.
   */
  private Boolean keyHashValid;
  private Boolean keyIdMatchesKeyMaterial;
  /** The KeyMaterial entry's value; decoded on first use ({@link #keyMaterial()}). */
  private final byte[] keyMaterialValue;
  /** Decoded from {@link #keyMaterialValue} on first use: immutable, so a race only decodes twice. */
  private KeyMaterial keyMaterial;
  private final OptionalInt usageCode;
  private final KeyUsage usage;
  private final OptionalInt sourceCode;
  private final UUID deviceId;
  private final CustomKeyInformation customKeyInformation;
  private final TimestampEncoding timestampEncoding;
  private final Instant creationTime;
  private final Instant lastLogonTime;

  private KeyCredential(byte[] blob, int version, List<KeyCredentialEntry> entries, List<byte[]> paddings)
      throws KeyCredentialFormatException {
    this(blob, version, entries, paddings, false);
  }

  /**
   * @param built true when {@link #build} made the entries: its KeyID and KeyHash are SHA-256 of
   *     the key material and of the entries after the KeyHash by construction, so they are not
   *     computed again
   */
  private KeyCredential(byte[] blob, int version, List<KeyCredentialEntry> entries, List<byte[]> paddings,
      boolean built) throws KeyCredentialFormatException {
    this.original = blob;
    this.version = version;
    this.entries = Collections.unmodifiableList(entries);
    this.paddings = paddings;

    // one pass: the size checks and the first entry of each known identifier
    KeyCredentialEntry[] first = new KeyCredentialEntry[FIRST_SLOTS];
    int hashEnd = -1;
    for (int i = 0; i < entries.size(); i++) {
      KeyCredentialEntry e = entries.get(i);
      int entryId = e.id();
      switch (entryId) {
        case ID_KEY_SOURCE -> checkSize(e, EntryType.KEY_SOURCE, 1);
        case ID_DEVICE_ID -> checkSize(e, EntryType.DEVICE_ID, GUID_BYTES);
        case ID_LAST_LOGON -> checkSize(e, EntryType.KEY_APPROXIMATE_LAST_LOGON_TIMESTAMP, TIMESTAMP_BYTES);
        case ID_CREATION -> checkSize(e, EntryType.KEY_CREATION_TIME, TIMESTAMP_BYTES);
        default -> { }
      }
      if (entryId < FIRST_SLOTS && first[entryId] == null) {
        first[entryId] = e;
        if (entryId == ID_KEY_HASH) {
          hashEnd = e.offset() + ENTRY_HEADER_BYTES + e.length() + paddings.get(i).length;
        }
      }
    }
    KeyCredentialEntry id = first[ID_KEY_ID];
    KeyCredentialEntry hash = first[ID_KEY_HASH];
    KeyCredentialEntry material = first[ID_KEY_MATERIAL];
    KeyCredentialEntry use = first[ID_KEY_USAGE];
    KeyCredentialEntry src = first[ID_KEY_SOURCE];
    KeyCredentialEntry device = first[ID_DEVICE_ID];
    KeyCredentialEntry cki = first[ID_CUSTOM_KEY_INFORMATION];
    KeyCredentialEntry lastLogon = first[ID_LAST_LOGON];
    KeyCredentialEntry created = first[ID_CREATION];

    this.keyId = id == null ? null : id.valueUnsafe();
    this.keyHash = hash == null ? null : hash.valueUnsafe();
    this.hashEnd = hashEnd;
    this.built = built;
    this.keyMaterialValue = material == null ? null : material.valueUnsafe();
    if (use == null) {
      this.usageCode = OptionalInt.empty();
      this.usage = null;
    } else if (use.length() == 1) {
      this.usageCode = OptionalInt.of(use.valueUnsafe()[0] & 0xFF);
      this.usage = KeyUsage.fromCode(usageCode.getAsInt());
    } else {
      this.usageCode = OptionalInt.empty();
      this.usage = KeyUsage.UNKNOWN;
    }
    this.sourceCode = src == null ? OptionalInt.empty() : OptionalInt.of(src.valueUnsafe()[0] & 0xFF);
    this.deviceId = device == null ? null : DeviceIds.fromMicrosoftBytes(device.valueUnsafe());
    this.customKeyInformation = cki == null ? null : new CustomKeyInformation(cki.valueUnsafe());
    this.timestampEncoding = Timestamps.encodingFor(version, sourceCode);
    this.creationTime = time(created);
    this.lastLogonTime = time(lastLogon);
  }

  private static void checkSize(KeyCredentialEntry e, EntryType type, int size)
      throws KeyCredentialFormatException {
    if (e.id() == type.id() && e.length() != size) {
      throw KeyCredentialFormatException.blob(
          String.format("the %s entry (0x%02X) has %d value bytes, it must have %d",
              type, type.id(), e.length(), size),
          e.offset());
    }
  }

  private Instant time(KeyCredentialEntry e) {
    if (e == null) {
      return null;
    }
    return Timestamps.decode(Bytes.readInt64le(e.valueUnsafe(), 0), timestampEncoding).orElse(null);
  }

  /**
   * Parses a KEYCREDENTIALLINK_BLOB.
   *
   * @param blob the binary part of an msDS-KeyCredentialLink value
   * @throws KeyCredentialFormatException (code {@code KEY_CREDENTIAL_MALFORMED}) when the blob is
   *     null, shorter than its 4-byte version, has a version other than 0, 0x100 or 0x200, ends
   *     inside an entry header or value, or has a KeySource, DeviceId or timestamp entry whose
   *     length is not 1, 16 or 8, or has more than {@value #MAX_ENTRIES} entries; {@link
   *     KeyCredentialFormatException#offset()} is the byte offset
   */
  public static KeyCredential parse(byte[] blob) throws KeyCredentialFormatException {
    if (blob == null) {
      throw KeyCredentialFormatException.blob("the blob is missing (null)", 0);
    }
    byte[] b = blob.clone();
    if (b.length < VERSION_BYTES) {
      throw KeyCredentialFormatException.blob(
          "the blob has " + b.length + " bytes, fewer than its 4-byte version", 0);
    }
    int version = (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    if (version != VERSION_0 && version != VERSION_1 && version != VERSION_2) {
      throw KeyCredentialFormatException.blob(
          String.format("unsupported version 0x%08X (known: 0, 0x100, 0x200)", version), 0);
    }
    List<KeyCredentialEntry> entries = new ArrayList<>();
    List<byte[]> paddings = new ArrayList<>();
    int pos = VERSION_BYTES;
    while (pos < b.length) {
      if (entries.size() == MAX_ENTRIES) {
        throw KeyCredentialFormatException.blob(
            "the blob has more than " + MAX_ENTRIES + " entries, which no key credential has", pos);
      }
      if (b.length - pos < ENTRY_HEADER_BYTES) {
        throw KeyCredentialFormatException.blob(
            "an entry header needs 3 bytes but only " + (b.length - pos) + " remain", pos);
      }
      int length = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8;
      int id = b[pos + 2] & 0xFF;
      int valueStart = pos + ENTRY_HEADER_BYTES;
      if (length > b.length - valueStart) {
        throw KeyCredentialFormatException.blob(
            String.format("entry 0x%02X declares %d value bytes but only %d remain",
                id, length, b.length - valueStart),
            pos);
      }
      entries.add(new KeyCredentialEntry(id, Arrays.copyOfRange(b, valueStart, valueStart + length), pos));
      int next = valueStart + length;
      int padding = 0;
      if (version == VERSION_0) {
        // DSInternals reads (4 - length % 4) % 4 alignment bytes; like it, accept a blob that ends
        // before the last entry's alignment.
        padding = Math.min((V0_ALIGNMENT - length % V0_ALIGNMENT) % V0_ALIGNMENT, b.length - next);
      }
      paddings.add(padding == 0 ? NO_PADDING : Arrays.copyOfRange(b, next, next + padding));
      pos = next + padding;
    }
    return new KeyCredential(b, version, entries, paddings);
  }

  /**
   * Builds a version 2 key credential for {@code key}: entries KeyID, KeyHash, KeyMaterial,
   * KeyUsage, KeySource, [DeviceId], [CustomKeyInformation], [LastLogon], Creation in ascending
   * order, KeyID = SHA-256 of the key material, KeyHash = SHA-256 of the entries after it, DeviceId
   * in Microsoft GUID byte order, timestamps as FILETIME (source AD) or .NET ToBinary UTC (source
   * Azure AD).
   *
   * @param key an RSA public key, or an EC P-256 public key (BCRYPT ECS1 blob)
   * @param options see {@link KeyCredentialOptions#userKey} and {@link
   *     KeyCredentialOptions#computerKey}
   * @throws KeytrustException {@link CoreErrorCode#KEY_CREDENTIAL_UNSUPPORTED_KEY} for other keys,
   *     {@link CoreErrorCode#KEY_CREDENTIAL_INVALID_OPTIONS} for an UNKNOWN usage or source, PKCS#1
   *     with a non-RSA key, a time the encoding cannot hold, or a value too long for an entry
   */
  public static KeyCredential build(PublicKey key, KeyCredentialOptions options) throws KeytrustException {
    if (key == null || options == null) {
      throw invalid("a public key and options are required");
    }
    byte[] material = material(key, options.pkcs1Material());
    if (options.usage() == KeyUsage.UNKNOWN || options.source() == KeySource.UNKNOWN) {
      throw invalid("usage and source must be defined values, not UNKNOWN");
    }
    TimestampEncoding encoding = Timestamps.encodingFor(VERSION_2, OptionalInt.of(options.source().code()));
    byte[] creation = encodeTime(options.creationTime(), encoding, "creation time");
    byte[] lastLogon = options.lastLogonTime() == null
        ? null
        : encodeTime(options.lastLogonTime(), encoding, "last logon time");

    // the entries in blob order: KeyID and KeyHash are computed from the ones after them
    List<Part> parts = new ArrayList<>(7);
    add(parts, EntryType.KEY_MATERIAL, material);
    add(parts, EntryType.KEY_USAGE, new byte[] {(byte) options.usage().code()});
    add(parts, EntryType.KEY_SOURCE, new byte[] {(byte) options.source().code()});
    if (options.deviceId() != null) {
      add(parts, EntryType.DEVICE_ID, DeviceIds.toMicrosoftBytes(options.deviceId()));
    }
    if (options.customKeyInformation() != null) {
      byte[] cki = options.customKeyInformation().encoded();
      if (cki.length > 0xFFFF) {
        throw invalid("the custom key information is longer than 65535 bytes");
      }
      add(parts, EntryType.CUSTOM_KEY_INFORMATION, cki);
    }
    if (lastLogon != null) {
      add(parts, EntryType.KEY_APPROXIMATE_LAST_LOGON_TIMESTAMP, lastLogon);
    }
    add(parts, EntryType.KEY_CREATION_TIME, creation);
    int restLength = 0;
    for (Part part : parts) {
      restLength += ENTRY_HEADER_BYTES + part.value().length;
    }
    byte[] keyId = Sha256.of(material);
    int hashed = VERSION_BYTES + 2 * ENTRY_HEADER_BYTES + keyId.length + Sha256.LENGTH;
    byte[] blob = new byte[hashed + restLength];
    int pos = hashed;
    List<KeyCredentialEntry> entries = new ArrayList<>(parts.size() + 2);
    entries.add(null);
    entries.add(null);
    for (Part part : parts) {
      entries.add(new KeyCredentialEntry(part.id(), part.value(), pos));
      pos = putEntry(blob, pos, part.id(), part.value());
    }
    byte[] keyHash = Sha256.of(blob, hashed, blob.length);
    blob[1] = 0x02; // version 0x200, little-endian
    int hashAt = putEntry(blob, VERSION_BYTES, EntryType.KEY_ID.id(), keyId);
    putEntry(blob, hashAt, EntryType.KEY_HASH.id(), keyHash);
    entries.set(0, new KeyCredentialEntry(EntryType.KEY_ID.id(), keyId, VERSION_BYTES));
    entries.set(1, new KeyCredentialEntry(EntryType.KEY_HASH.id(), keyHash, hashAt));
    List<byte[]> paddings = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      paddings.add(NO_PADDING);
    }
    try {
      // no re-parse: the framing is ours; the constructor still checks the entry sizes
      return new KeyCredential(blob, VERSION_2, entries, paddings, true);
    } catch (KeyCredentialFormatException e) {
      throw new KeytrustBugException("a freshly built key credential has an entry of the wrong size", e);
    }
  }

  /** An entry {@link #build} writes: identifier and value. */
  private record Part(int id, byte[] value) {}

  private static void add(List<Part> parts, EntryType type, byte[] value) {
    parts.add(new Part(type.id(), value));
  }

  /** Writes an entry (length, id, value) at {@code pos}; returns the offset after it. */
  private static int putEntry(byte[] blob, int pos, int id, byte[] value) {
    blob[pos] = (byte) value.length;
    blob[pos + 1] = (byte) (value.length >>> 8);
    blob[pos + 2] = (byte) id;
    System.arraycopy(value, 0, blob, pos + ENTRY_HEADER_BYTES, value.length);
    return pos + ENTRY_HEADER_BYTES + value.length;
  }

  private static byte[] material(PublicKey key, boolean pkcs1) throws KeytrustException {
    byte[] material;
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().signum() <= 0 || rsa.getPublicExponent().signum() <= 0) {
        throw new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
            "The RSA key has a non-positive modulus or exponent; use a valid RSA public key.");
      }
      material = pkcs1
          ? Der.rsaPublicKey(rsa.getModulus(), rsa.getPublicExponent())
          : BcryptKeyBlob.of(rsa).encoded();
    } else if (key instanceof ECPublicKey ec && P256.is(ec.getParams())) {
      if (pkcs1) {
        throw invalid("PKCS#1 key material (computer keys) needs an RSA key, not P-256");
      }
      material = BcryptKeyBlob.of(ec).encoded();
    } else {
      throw new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
          "A key credential can hold an RSA or an EC P-256 public key, not "
              + describe(key) + "; create an RSA 2048 or P-256 key.");
    }
    if (material.length > 0xFFFF) {
      throw new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_UNSUPPORTED_KEY,
          "The key material is " + material.length + " bytes, more than an entry holds (65535); use a smaller key.");
    }
    return material;
  }

  private static String describe(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      return "an EC key on another curve (" + ec.getParams().getCurve().getField().getFieldSize() + "-bit field)";
    }
    return "a " + key.getAlgorithm() + " key";
  }

  private static byte[] encodeTime(Instant t, TimestampEncoding encoding, String what) throws KeytrustException {
    Optional<Long> raw = encoding == TimestampEncoding.FILETIME
        ? Timestamps.toFileTime(t)
        : Timestamps.toDotnetBinaryUtc(t);
    if (raw.isEmpty() || Timestamps.decode(raw.get(), encoding).isEmpty()) {
      throw invalid("the " + what + " " + t + " cannot be encoded as " + encoding
          + (encoding == TimestampEncoding.FILETIME ? " (1601 or later)" : " (years 1 to 9999)"));
    }
    return Bytes.int64le(raw.get());
  }

  private static KeytrustException invalid(String what) {
    return new KeytrustException(CoreErrorCode.KEY_CREDENTIAL_INVALID_OPTIONS,
        "Cannot build the key credential: " + what + ".");
  }

  /**
   * This credential, when it names a key: it has a KeyID or a KeyMaterial entry. {@link #parse}
   * reads any well-formed blob (test tools write ones without either, to test validation); a
   * value with neither is not a key credential.
   *
   * @throws KeyCredentialFormatException KEY_CREDENTIAL_MALFORMED (bad input), the offset at the
   *     end of the blob, when it has neither entry
   */
  public KeyCredential requireKey() throws KeyCredentialFormatException {
    if (keyId == null && keyMaterialValue == null) {
      throw KeyCredentialFormatException.blob(
          "the value has no KeyID and no KeyMaterial entry, so it names no key: it is not a key credential",
          original.length);
    }
    return this;
  }

  /** The blob, serialised from the entry list (byte-identical to what was parsed). */
  public byte[] toByteArray() {
    int length = VERSION_BYTES;
    for (int i = 0; i < entries.size(); i++) {
      length += ENTRY_HEADER_BYTES + entries.get(i).length() + paddings.get(i).length;
    }
    byte[] out = new byte[length];
    out[0] = (byte) version;
    out[1] = (byte) (version >>> 8);
    out[2] = (byte) (version >>> 16);
    out[3] = (byte) (version >>> 24);
    int pos = VERSION_BYTES;
    for (int i = 0; i < entries.size(); i++) {
      KeyCredentialEntry e = entries.get(i);
      pos = putEntry(out, pos, e.id(), e.valueUnsafe());
      byte[] padding = paddings.get(i);
      System.arraycopy(padding, 0, out, pos, padding.length);
      pos += padding.length;
    }
    return out;
  }

  /**
   * True when {@link #toByteArray()} equals the parsed input byte for byte (a self-check). Compares
   * what {@link #toByteArray()} would write, part by part (version, each entry's header, value and
   * alignment bytes), with the input's bytes in place, without building the copy.
   */
  public boolean roundTripIdentical() {
    byte[] o = original;
    if (o.length < VERSION_BYTES || o[0] != (byte) version || o[1] != (byte) (version >>> 8)
        || o[2] != (byte) (version >>> 16) || o[3] != (byte) (version >>> 24)) {
      return false;
    }
    int pos = VERSION_BYTES;
    for (int i = 0; i < entries.size(); i++) {
      KeyCredentialEntry e = entries.get(i);
      byte[] value = e.valueUnsafe();
      byte[] padding = paddings.get(i);
      int valueAt = pos + ENTRY_HEADER_BYTES;
      int end = valueAt + value.length + padding.length;
      if (end > o.length || end < 0
          || o[pos] != (byte) value.length || o[pos + 1] != (byte) (value.length >>> 8) || o[pos + 2] != (byte) e.id()
          || !Arrays.equals(o, valueAt, valueAt + value.length, value, 0, value.length)
          || !Arrays.equals(o, valueAt + value.length, end, padding, 0, padding.length)) {
        return false;
      }
      pos = end;
    }
    return pos == o.length;
  }

  /** The DN-Binary string form of this value with its owner DN. */
  public DnBinary toDnBinary(String ownerDn) {
    return new DnBinary(original, ownerDn);
  }

  /** The version: {@link #VERSION_0}, {@link #VERSION_1} or {@link #VERSION_2}. */
  public int version() {
    return version;
  }

  /** All entries in blob order, duplicates and unknown identifiers included. */
  public List<KeyCredentialEntry> entries() {
    return entries;
  }

  /** The identifiers of {@link #entries()}, in order. */
  public List<Integer> entryIds() {
    return entries.stream().map(KeyCredentialEntry::id).toList();
  }

  /** Entries whose identifier is not 1 to 9. */
  public List<KeyCredentialEntry> unknownEntries() {
    return entries.stream().filter(e -> e.type().isEmpty()).toList();
  }

  /** The KeyID value (SHA-256 of the key material; FIDO: credential id; version 1: a GUID). */
  public Optional<byte[]> keyId() {
    return Optional.ofNullable(keyId).map(byte[]::clone);
  }

  /** The stored KeyHash value. */
  public Optional<byte[]> keyHash() {
    return Optional.ofNullable(keyHash).map(byte[]::clone);
  }

  /**
   * Whether KeyHash equals SHA-256 of every byte after the KeyHash entry; empty without a KeyHash.
   * Windows does not enforce it on ordinary writes: some tools wrote wrong values.
   */
  public Optional<Boolean> keyHashValid() {
    if (keyHash == null) {
      return Optional.empty();
    }
    Boolean valid = keyHashValid;
    if (valid == null) {
      valid = built || MessageDigest.isEqual(keyHash, Sha256.of(original, hashEnd, original.length));
      keyHashValid = valid;
    }
    return Optional.of(valid);
  }

  /**
   * Whether KeyID equals SHA-256 of the KeyMaterial value; empty when either entry is absent. False
   * is expected for FIDO keys (KeyID = credential id) and version 1 device keys.
   */
  public Optional<Boolean> keyIdMatchesKeyMaterial() {
    if (keyId == null || keyMaterialValue == null) {
      return Optional.empty();
    }
    Boolean matches = keyIdMatchesKeyMaterial;
    if (matches == null) {
      matches = built || MessageDigest.isEqual(keyId, Sha256.of(keyMaterialValue));
      keyIdMatchesKeyMaterial = matches;
    }
    return Optional.of(matches);
  }

  /** The decoded KeyMaterial, empty when the entry is absent. */
  public Optional<KeyMaterial> keyMaterial() {
    return Optional.ofNullable(decodedKeyMaterial());
  }

  private KeyMaterial decodedKeyMaterial() {
    KeyMaterial m = keyMaterial;
    if (m == null && keyMaterialValue != null) {
      m = KeyMaterials.parse(keyMaterialValue);
      keyMaterial = m;
    }
    return m;
  }

  /**
   * Whether the RSA key material carries the ROCA fingerprint (see {@link RsaKeyMaterial#weakKey()});
   * empty when there is no RSA key material.
   */
  public Optional<Boolean> weakKey() {
    return decodedKeyMaterial() instanceof RsaKeyMaterial rsa ? Optional.of(rsa.weakKey()) : Optional.empty();
  }

  /** The one-byte KeyUsage code; empty when the entry is absent or not one byte (legacy string). */
  public OptionalInt usageCode() {
    return usageCode;
  }

  /** The KeyUsage; empty when the entry is absent, {@link KeyUsage#UNKNOWN} for unknown codes. */
  public Optional<KeyUsage> usage() {
    return Optional.ofNullable(usage);
  }

  /** The KeySource code; empty when the entry is absent (timestamps are then read as for AD). */
  public OptionalInt sourceCode() {
    return sourceCode;
  }

  /** The KeySource; empty when the entry is absent, {@link KeySource#UNKNOWN} for unknown codes. */
  public Optional<KeySource> source() {
    return sourceCode.isPresent() ? Optional.of(KeySource.fromCode(sourceCode.getAsInt())) : Optional.empty();
  }

  /**
   * The DeviceId, read in Microsoft GUID byte order (as Windows displays it). Some tools wrote RFC
   * 4122 order; their ids read differently here than they printed.
   */
  public Optional<UUID> deviceId() {
    return Optional.ofNullable(deviceId);
  }

  /** The CustomKeyInformation entry. */
  public Optional<CustomKeyInformation> customKeyInformation() {
    return Optional.ofNullable(customKeyInformation);
  }

  /** How the timestamps of this credential are encoded (from version and KeySource). */
  public TimestampEncoding timestampEncoding() {
    return timestampEncoding;
  }

  /** KeyCreationTime; empty when absent or a "never" placeholder. */
  public Optional<Instant> creationTime() {
    return Optional.ofNullable(creationTime);
  }

  /** KeyApproximateLastLogonTimeStamp; empty when absent or a "never" placeholder. */
  public Optional<Instant> lastLogonTime() {
    return Optional.ofNullable(lastLogonTime);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyCredential k && Arrays.equals(original, k.original);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(original);
  }

  /** Version, key id, usage and entry ids (public data only). */
  @Override
  public String toString() {
    return String.format("KeyCredential[version=0x%X, keyId=%s, usage=%s, entries=%s]",
        version, keyId == null ? "-" : Bytes.hex(keyId), usage, entryIds());
  }
}
