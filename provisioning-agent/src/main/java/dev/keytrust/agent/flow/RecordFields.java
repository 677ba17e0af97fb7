package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * Writes and reads the values of the flow's records as {@link dev.keytrust.key.UserRecord} fields:
 * instants as ISO-8601, bytes as lower-case hex, key ids as upper-case hex, absent values as
 * absent fields. A field group has a prefix ({@code new}, {@code old}) so one record can hold two
 * registrations; the empty prefix gives plain names ({@code keyId}).
 */
final class RecordFields {
  private static final HexFormat HEX = HexFormat.of();

  /** Why a record's fields do not fit; the message names the field. */
  static final class InvalidFieldException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidFieldException(String message) {
      super(message);
    }
  }

  private final Map<String, String> fields;

  RecordFields(Map<String, String> fields) {
    this.fields = fields;
  }

  static String name(String prefix, String name) {
    return prefix.isEmpty() ? Character.toLowerCase(name.charAt(0)) + name.substring(1) : prefix + name;
  }

  void put(String name, Object value) {
    if (value == null) {
      return;
    }
    if (value instanceof byte[] b) {
      fields.put(name, HEX.formatHex(b));
    } else {
      fields.put(name, value.toString());
    }
  }

  boolean has(String name) {
    return fields.containsKey(name);
  }

  String optional(String name) {
    return fields.get(name);
  }

  String required(String name) throws InvalidFieldException {
    String v = fields.get(name);
    if (v == null || v.isEmpty()) {
      throw new InvalidFieldException("the field " + name + " is missing");
    }
    return v;
  }

  byte[] bytes(String name) throws InvalidFieldException {
    try {
      return HEX.parseHex(required(name));
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException("the field " + name + " is not hex");
    }
  }

  Instant instant(String name) throws InvalidFieldException {
    try {
      return Instant.parse(required(name));
    } catch (DateTimeParseException e) {
      throw new InvalidFieldException("the field " + name + " is not a time");
    }
  }

  UUID optionalUuid(String name) throws InvalidFieldException {
    String v = fields.get(name);
    if (v == null) {
      return null;
    }
    try {
      return UUID.fromString(v);
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException("the field " + name + " is not a GUID");
    }
  }

  boolean bool(String name) throws InvalidFieldException {
    String v = required(name);
    if (!v.equals("true") && !v.equals("false")) {
      throw new InvalidFieldException("the field " + name + " is not true or false");
    }
    return v.equals("true");
  }

  // ---- registrations and receipts --------------------------------------------------------------

  void putRegistration(String prefix, KeyRegistration r) {
    put(name(prefix, "Upn"), r.userPrincipalName());
    put(name(prefix, "Account"), r.accountName());
    put(name(prefix, "KeyId"), r.keyIdHex());
    put(name(prefix, "KeyMaterial"), r.keyMaterial());
    put(name(prefix, "Credential"), r.keyCredentialLink());
    put(name(prefix, "DeviceId"), r.deviceId());
    put(name(prefix, "Created"), r.createdAt());
  }

  KeyRegistration registration(String prefix) throws InvalidFieldException {
    byte[] keyId = bytes(name(prefix, "KeyId"));
    if (keyId.length != 32) {
      throw new InvalidFieldException("the field " + name(prefix, "KeyId") + " is not a SHA-256 key id");
    }
    return new KeyRegistration(
        required(name(prefix, "Upn")),
        optional(name(prefix, "Account")),
        bytes(name(prefix, "KeyMaterial")),
        keyId,
        bytes(name(prefix, "Credential")),
        optionalUuid(name(prefix, "DeviceId")),
        instant(name(prefix, "Created")));
  }

  void putReceipt(String prefix, RegistrationReceipt r) {
    put(name(prefix, "Endpoint"), r.endpoint());
    put(name(prefix, "ReceiptKeyId"), r.keyIdBase64());
    put(name(prefix, "ServerKeyId"), r.serverKeyId());
    put(name(prefix, "ServerUpn"), r.userPrincipalName());
    put(name(prefix, "ServerContext"), r.serverContext());
    put(name(prefix, "RequestId"), r.requestId());
    put(name(prefix, "AlreadyPresent"), r.alreadyPresent());
    put(name(prefix, "RegisteredAt"), r.registeredAt());
  }

  RegistrationReceipt receipt(String prefix) throws InvalidFieldException {
    return new RegistrationReceipt(
        required(name(prefix, "Endpoint")),
        required(name(prefix, "ReceiptKeyId")),
        optional(name(prefix, "ServerKeyId")),
        optional(name(prefix, "ServerUpn")),
        optional(name(prefix, "ServerContext")),
        optional(name(prefix, "RequestId")),
        bool(name(prefix, "AlreadyPresent")),
        instant(name(prefix, "RegisteredAt")));
  }

  void putRegisteredKey(String prefix, RegisteredKey k) {
    putRegistration(prefix, k.registration());
    putReceipt(prefix, k.receipt());
  }

  RegisteredKey registeredKey(String prefix) throws InvalidFieldException {
    return new RegisteredKey(registration(prefix), receipt(prefix));
  }
}
