package dev.keytrust.agent.cli;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the public key for {@code keytrust kcl encode} from PEM: {@code PUBLIC KEY}
 * (SubjectPublicKeyInfo), {@code RSA PUBLIC KEY} (PKCS#1) or {@code CERTIFICATE} (X.509, its
 * subject public key). Private keys are refused without reading them further.
 */
final class KclPem {

  static final int MAX_BYTES = 1024 * 1024;
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  /** The key factories tried for a SubjectPublicKeyInfo; all but RSA and EC are refused later with the type named. */
  private static final List<String> ALGORITHMS = List.of("RSA", "EC", "EdDSA", "XDH", "DSA", "DH");
  /** DER AlgorithmIdentifier of rsaEncryption with NULL parameters. */
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30, 0x0D, 0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00
  };

  private KclPem() {}

  /** The public key in the PEM file {@code file} ({@code -}: standard input). */
  static PublicKey read(String file, InputStream stdin) throws KeytrustException {
    String what = file.equals("-") ? "standard input" : file;
    byte[] data;
    try {
      if (file.equals("-")) {
        data = stdin.readNBytes(MAX_BYTES + 1);
      } else {
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
          throw invalid("--public-key " + file + " is a directory; give the PEM file of the public key.");
        }
        try (InputStream in = Files.newInputStream(path)) {
          data = in.readNBytes(MAX_BYTES + 1);
        }
      }
    } catch (NoSuchFileException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "--public-key " + file + ": no such file. Give a PEM file with the public key or certificate.", e);
    } catch (IOException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "Cannot read --public-key " + what + ": " + e.getMessage() + ".", e);
    }
    if (data.length > MAX_BYTES) {
      throw invalid("--public-key " + what + " is larger than 1 MiB; give one PEM public key or certificate.");
    }
    return parse(new String(data, StandardCharsets.US_ASCII), what);
  }

  /** The public key of the first PEM block of {@code pem}. */
  static PublicKey parse(String pem, String what) throws KeytrustException {
    Matcher m = BLOCK.matcher(pem);
    if (!m.find()) {
      throw invalid("--public-key " + what + " holds no PEM block (-----BEGIN PUBLIC KEY----- ... "
          + "-----END PUBLIC KEY-----). Export the public key as PEM, e.g. openssl pkey -in KEY -pubout.");
    }
    String type = m.group(1);
    if (type.contains("PRIVATE")) {
      throw invalid("--public-key " + what + " holds a private key (" + type + "). Give the public key only: "
          + "openssl pkey -in KEY.pem -pubout -out public.pem.");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(m.group(2).strip());
    } catch (IllegalArgumentException e) {
      throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
          "--public-key " + what + ": the " + type + " block is not valid base64 (" + e.getMessage() + ").", e);
    }
    switch (type) {
      case "PUBLIC KEY":
        return subjectPublicKeyInfo(der, what);
      case "RSA PUBLIC KEY":
        return subjectPublicKeyInfo(spkiOfPkcs1(der), what);
      case "CERTIFICATE":
        try {
          return CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
          throw new KeytrustException(CoreErrorCode.INVALID_ARGUMENT,
              "--public-key " + what + ": the CERTIFICATE block is not a valid X.509 certificate ("
                  + e.getMessage() + ").", e);
        }
      default:
        throw invalid("--public-key " + what + " holds a " + type + " block; give a PUBLIC KEY, RSA PUBLIC KEY "
            + "or CERTIFICATE.");
    }
  }

  private static PublicKey subjectPublicKeyInfo(byte[] der, String what) throws KeytrustException {
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // not this algorithm (or not available): try the next one
      }
    }
    throw invalid("--public-key " + what + ": the PUBLIC KEY block is not a SubjectPublicKeyInfo of a key type "
        + "this Java knows. Give an RSA or EC P-256 public key.");
  }

  /** SubjectPublicKeyInfo {rsaEncryption, BIT STRING {pkcs1}} around a PKCS#1 RSAPublicKey. */
  private static byte[] spkiOfPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream bitString = new ByteArrayOutputStream();
    bitString.write(0); // no unused bits
    bitString.writeBytes(pkcs1);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(RSA_ALGORITHM_ID);
    body.writeBytes(tlv(0x03, bitString.toByteArray()));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = value.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  private static KeytrustException invalid(String message) {
    return new KeytrustException(CoreErrorCode.INVALID_ARGUMENT, message);
  }
}
