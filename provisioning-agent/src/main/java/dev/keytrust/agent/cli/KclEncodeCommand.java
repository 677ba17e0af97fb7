package dev.keytrust.agent.cli;

import dev.keytrust.credential.CustomKeyInformation;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.credential.KeySource;
import dev.keytrust.credential.KeyUsage;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.PrintWriter;
import java.security.PublicKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keytrust kcl encode}: an msDS-KeyCredentialLink value (version 2) for a public key. */
@Command(
    name = "encode",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Build an msDS-KeyCredentialLink value (version 2) for a public key and print it as DN-binary",
      "(B:<count>:<hex>:<owner DN>, needs --owner-dn) or, with --hex, the blob as hex.",
      "User keys (default): BCRYPT key blob, CustomKeyInformation 01 00, LastLogon = creation time.",
      "--computer: the shape a computer may write to its own account (validated write): NGC, AD,",
      "PKCS#1 RSA key, CustomKeyInformation 01 02, no DeviceId, no LastLogon."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  keytrust kcl encode --public-key alice.pem --device-id 47f577e3-d2d0-4a0a-8aca-e0501098bde4 \\",
      "      --owner-dn 'CN=alice,CN=Users,DC=contoso,DC=com'",
      "  keytrust kcl encode --public-key pc01.pem --computer --hex"
    })
final class KclEncodeCommand implements Callable<Integer> {

  private static final Pattern GUID = Pattern.compile(
      "\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}?");

  @Spec CommandSpec spec;

  @Option(names = "--public-key", required = true, paramLabel = "PEM",
      description = "PEM file with the public key (PUBLIC KEY, RSA PUBLIC KEY) or an X.509 CERTIFICATE; "
          + "- for standard input. RSA or EC P-256.")
  String publicKey;

  @Option(names = "--device-id", paramLabel = "GUID",
      description = "The DeviceId entry, e.g. 47f577e3-d2d0-4a0a-8aca-e0501098bde4 (braces allowed). Default: none.")
  String deviceId;

  @Option(names = "--created", paramLabel = "ISO",
      description = "The creation time, an ISO-8601 instant such as 2024-05-01T12:00:00Z (100-ns precision). "
          + "Default: now.")
  String created;

  @Option(names = "--source", paramLabel = "SOURCE",
      description = "KeySource: AD (default; FILETIME timestamps) or AZURE_AD (.NET timestamps).")
  String source;

  @Option(names = "--usage", paramLabel = "USAGE",
      description = "KeyUsage: NGC (default), ADMIN_KEY, STK, BITLOCKER_RECOVERY, OTHER, FIDO, FEK, DPAPI.")
  String usage;

  @Option(names = "--owner-dn", paramLabel = "DN",
      description = "The DN of the account that holds the value, e.g. CN=alice,CN=Users,DC=contoso,DC=com.")
  String ownerDn;

  @Option(names = "--computer",
      description = "A computer key for the validated write (see above); RSA only.")
  boolean computer;

  @Option(names = "--hex", description = "Print the blob as upper-case hex instead of the DN-binary value.")
  boolean hex;

  @Override
  public Integer call() throws Exception {
    // validate every option before reading the key
    UUID device = deviceId == null ? null : parseGuid(deviceId);
    Instant creation = created == null ? Instant.now() : parseInstant(created);
    KeySource keySource = source == null ? KeySource.AD : parseSource(source);
    KeyUsage keyUsage = usage == null ? KeyUsage.NGC : parseUsage(usage);
    if (ownerDn != null) {
      checkDn(ownerDn);
    }
    if (hex && ownerDn != null) {
      throw invalid("--hex prints the blob alone, without the owner DN: leave out --owner-dn, or leave out --hex "
          + "to get the DN-binary value.");
    }
    if (!hex && ownerDn == null) {
      throw invalid("A DN-binary value needs the owner DN: give --owner-dn (e.g. "
          + "--owner-dn 'CN=alice,CN=Users,DC=contoso,DC=com'), or --hex for the blob alone.");
    }
    KeyCredentialOptions options;
    if (computer) {
      if (device != null) {
        throw invalid("--computer builds a key without DeviceId (validated write); leave out --device-id.");
      }
      if (keyUsage != KeyUsage.NGC || keySource != KeySource.AD) {
        throw invalid("--computer builds an NGC key with source AD (validated write); leave out --usage and --source.");
      }
      options = KeyCredentialOptions.computerKey(creation);
    } else {
      options = new KeyCredentialOptions(keyUsage, keySource, device, creation, creation,
          CustomKeyInformation.ofFlags(0), false);
    }

    PublicKey key = KclPem.read(publicKey, KeytrustCli.environment(spec).stdin());
    KeyCredential kc = KeyCredential.build(key, options);
    PrintWriter out = spec.commandLine().getOut();
    out.println(hex ? KclView.hex(kc.toByteArray()) : kc.toDnBinary(ownerDn).format());
    out.flush();
    return ExitCodes.OK;
  }

  static UUID parseGuid(String s) throws KeytrustException {
    String t = s.strip();
    if (!GUID.matcher(t).matches() || (t.startsWith("{") != t.endsWith("}"))) {
      throw invalid("--device-id '" + KclView.safe(s) + "' is not a GUID: give 32 hex digits as 8-4-4-4-12, "
          + "e.g. 47f577e3-d2d0-4a0a-8aca-e0501098bde4.");
    }
    return UUID.fromString(t.replace("{", "").replace("}", ""));
  }

  static Instant parseInstant(String s) throws KeytrustException {
    String t = s.strip();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(t).toInstant();
      } catch (DateTimeParseException e2) {
        throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
            "--created '" + KclView.safe(s) + "' is not an ISO-8601 instant: give a date, time and zone, e.g. "
                + "2024-05-01T12:00:00Z or 2024-05-01T14:00:00+02:00.", e2);
      }
    }
  }

  static KeySource parseSource(String s) throws KeytrustException {
    String name = s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (KeySource k : KeySource.values()) {
      if (k != KeySource.UNKNOWN && k.name().equals(name)) {
        return k;
      }
    }
    throw invalid("--source '" + KclView.safe(s) + "' is not a key source: use AD or AZURE_AD.");
  }

  static KeyUsage parseUsage(String s) throws KeytrustException {
    String name = s.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (KeyUsage u : KeyUsage.values()) {
      if (u != KeyUsage.UNKNOWN && u.name().equals(name)) {
        return u;
      }
    }
    throw invalid("--usage '" + KclView.safe(s) + "' is not a key usage: use one of " + Arrays.stream(KeyUsage.values())
        .filter(u -> u != KeyUsage.UNKNOWN).map(Enum::name).collect(Collectors.joining(", ")) + ".");
  }

  static void checkDn(String dn) throws KeytrustException {
    String problem = null;
    if (dn.isBlank()) {
      problem = "it is empty";
    } else if (dn.chars().anyMatch(c -> Character.isISOControl(c))) {
      problem = "it contains control characters (a line break?)";
    } else {
      try {
        if (new LdapName(dn).isEmpty()) {
          problem = "it has no RDN";
        }
      } catch (InvalidNameException | RuntimeException e) {
        problem = "it is not an LDAP DN (RFC 4514)";
      }
    }
    if (problem != null) {
      throw invalid("--owner-dn '" + KclView.safe(dn) + "' is not usable: " + problem
          + ". Give the account's distinguished name, e.g. CN=alice,CN=Users,DC=contoso,DC=com.");
    }
  }

  private static KeytrustException invalid(String message) {
    return new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, message);
  }
}
