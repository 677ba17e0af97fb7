package dev.keytrust.lab.attest;

import dev.keytrust.attest.TpmtPublic;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.lab.LabException;
import dev.keytrust.lab.ProcessResult;
import dev.keytrust.lab.ProcessRunner;
import dev.keytrust.tpm.AttestationCommands;
import dev.keytrust.tpm.TpmKeyType;
import dev.keytrust.tpm.TpmSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The lab's TPM "manufacturer": swtpm_setup's local CA ({@code swtpm_localca}) with a
 * configuration and state directory of the lab's own (nothing under /etc or /var/lib is read or
 * written), which issues EK certificates into a swtpm's NV as a TPM vendor does:
 *
 * <ul>
 *   <li>{@link #manufacture(Path)} runs {@code swtpm_setup --tpm2 --create-ek-cert} on a state
 *       directory: an RSA 2048 EK (TCG template L-1) and its certificate at NV 0x01C00002 (swtpm
 *       0.7.1 also makes an ECC P-384 EK certificate at 0x01C00016, which keytrust does not use);
 *   <li>{@link #addEccEkCertificate(TpmSession)} adds what a P-256 TPM has: the certificate of the
 *       ECC P-256 EK (template L-2), issued by the same CA with {@code swtpm_localca}, at NV
 *       0x01C0000A, defined under the platform hierarchy as a manufacturer does.
 * </ul>
 *
 * <p>The CA (a root and an intermediate {@code swtpm-localca} that signs) is created by
 * swtpm_localca on first use in {@code <dir>/ca}; {@link #rootCertificate()} is the trust anchor
 * an attestation CA is given for EK certificates. Two manufacturers are two unrelated CAs.
 */
public final class LabTpmManufacturer {
  /** swtpm's TPM identity, as swtpm_setup 0.7.1 passes it to swtpm_localca. */
  static final List<String> TPM_IDENTITY = List.of(
      "--tpm-spec-family", "2.0", "--tpm-spec-level", "0", "--tpm-spec-revision", "164",
      "--tpm-manufacturer", "id:00001014", "--tpm-model", "swtpm", "--tpm-version", "id:20191023");
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);

  private final Path dir;

  private LabTpmManufacturer(Path dir) {
    this.dir = dir;
  }

  /** A manufacturer with its configuration and CA state in {@code dir} (created; the CA on first use). */
  public static LabTpmManufacturer create(Path dir) {
    Path d = dir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(d.resolve("ca"));
      Files.writeString(d.resolve("swtpm-localca.conf"),
          "statedir = " + d.resolve("ca") + "\n"
              + "signingkey = " + d.resolve("ca/signkey.pem") + "\n"
              + "issuercert = " + d.resolve("ca/issuercert.pem") + "\n"
              + "certserial = " + d.resolve("ca/certserial") + "\n");
      Files.writeString(d.resolve("swtpm-localca.options"),
          "--platform-manufacturer keytrust-lab\n--platform-version 2.1\n--platform-model swtpm\n");
      Files.writeString(d.resolve("swtpm_setup.conf"),
          "create_certs_tool = /usr/bin/swtpm_localca\n"
              + "create_certs_tool_config = " + d.resolve("swtpm-localca.conf") + "\n"
              + "create_certs_tool_options = " + d.resolve("swtpm-localca.options") + "\n"
              + "active_pcr_banks = sha256\n");
    } catch (IOException e) {
      throw new LabException("Cannot write the lab TPM manufacturer's configuration in " + d + ": " + e.getMessage(), e);
    }
    return new LabTpmManufacturer(d);
  }

  /** True when swtpm_setup and swtpm_localca (Debian package swtpm-tools) are on PATH. */
  public static boolean available() {
    return ProcessRunner.onPath("swtpm_setup") && ProcessRunner.onPath("swtpm_localca");
  }

  public Path directory() {
    return dir;
  }

  /**
   * Manufactures a TPM state in {@code stateDir} (which must not be in use by a running swtpm):
   * an EK per algorithm and the RSA EK's certificate in NV. Overwrites an existing state.
   */
  public void manufacture(Path stateDir) {
    try {
      Files.createDirectories(stateDir);
    } catch (IOException e) {
      throw new LabException("Cannot create " + stateDir + ": " + e.getMessage(), e);
    }
    run(List.of("swtpm_setup", "--tpm2", "--tpmstate", stateDir.toAbsolutePath().toString(), "--create-ek-cert",
        "--overwrite", "--pcr-banks", "sha256", "--config", dir.resolve("swtpm_setup.conf").toString(),
        "--logfile", dir.resolve("swtpm_setup.log").toString()), "swtpm_setup");
  }

  /**
   * Gives the running TPM of {@code session} an ECC P-256 EK certificate at 0x01C0000A: the EK is
   * re-created from template L-2, swtpm_localca certifies its point, and the certificate is
   * written to a platform-created NV index (TPMA_NV_PPWRITE | WRITEDEFINE | PPREAD | OWNERREAD |
   * AUTHREAD | NO_DA | PLATFORMCREATE), as a manufacturer provisions it.
   */
  public void addEccEkCertificate(TpmSession session) throws KeytrustException {
    TpmtPublic ek = TpmtPublic.parse(new AttestationCommands(session).endorsementKeyPublic(TpmKeyType.ECC_P256));
    Path out = dir.resolve("ecc-ek");
    try {
      Files.createDirectories(out);
      Files.deleteIfExists(out.resolve("ek.cert"));
    } catch (IOException e) {
      throw new LabException("Cannot prepare " + out + ": " + e.getMessage(), e);
    }
    HexFormat hex = HexFormat.of();
    List<String> command = new ArrayList<>(List.of("swtpm_localca", "--type", "ek", "--ek",
        "x=" + hex.formatHex(ek.eccX()) + ",y=" + hex.formatHex(ek.eccY()), "--dir", out.toString(), "--tpm2",
        "--configfile", dir.resolve("swtpm-localca.conf").toString(), "--optsfile",
        dir.resolve("swtpm-localca.options").toString(), "--logfile", dir.resolve("swtpm_localca.log").toString()));
    command.addAll(TPM_IDENTITY);
    run(command, "swtpm_localca");
    byte[] cert;
    try {
      cert = Files.readAllBytes(out.resolve("ek.cert"));
    } catch (IOException e) {
      throw new LabException("swtpm_localca wrote no " + out.resolve("ek.cert") + ": " + e.getMessage(), e);
    }
    int index = AttestationCommands.EK_CERT_NV_ECC;
    session.execute("TPM2_NV_DefineSpace", nvDefineSpace(index, cert.length));
    for (int offset = 0; offset < cert.length; offset += 512) {
      int n = Math.min(512, cert.length - offset);
      session.execute("TPM2_NV_Write", nvWrite(index, java.util.Arrays.copyOfRange(cert, offset, offset + n), offset));
    }
  }

  /** The manufacturer's root CA certificate: the trust anchor for its EK certificates. */
  public X509Certificate rootCertificate() {
    return pem(dir.resolve("ca/swtpm-localca-rootca-cert.pem"));
  }

  /** The intermediate CA that signs the EK certificates ({@code swtpm-localca}). */
  public X509Certificate issuerCertificate() {
    return pem(dir.resolve("ca/issuercert.pem"));
  }

  private static X509Certificate pem(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new LabException("Cannot read the lab manufacturer's certificate " + file + " (manufacture a TPM "
          + "first, which creates the CA): " + e.getMessage(), e);
    }
  }

  /** Parses DER certificate bytes. */
  public static X509Certificate certificate(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new LabException("Not an X.509 certificate: " + e.getMessage(), e);
    }
  }

  private void run(List<String> command, String tool) {
    ProcessResult r = ProcessRunner.run(command, Map.of("XDG_CONFIG_HOME", dir.toString()), dir, new byte[0],
        TOOL_TIMEOUT, tool + " creates RSA keys; a very slow machine may need longer");
    if (!r.succeeded()) {
      String log = "";
      try {
        Path l = dir.resolve(tool + ".log");
        log = Files.exists(l) ? ProcessRunner.tail(Files.readString(l, StandardCharsets.UTF_8), 15) : "";
      } catch (IOException e) {
        log = "(no log: " + e.getMessage() + ")";
      }
      throw new LabException(tool + " failed with exit code " + r.exitCode() + ": " + r.commandLine() + " | "
          + ProcessRunner.tail(r.stdout() + r.stderr(), 15) + " | " + log);
    }
  }

  // ---- raw NV commands on TPM_RH_PLATFORM (TSS.Java's are not reachable from the lab) ----

  private static final int TPM_RH_PLATFORM = 0x4000000C;
  private static final int NV_ATTRIBUTES = 0x1 | 0x2000 | 0x10000 | 0x20000 | 0x40000 | 0x2000000 | 0x40000000;

  static byte[] nvDefineSpace(int index, int size) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(p);
    try {
      d.writeShort(0); // auth: empty
      d.writeShort(14); // TPM2B_NV_PUBLIC size
      d.writeInt(index);
      d.writeShort(0x000B); // nameAlg SHA-256
      d.writeInt(NV_ATTRIBUTES);
      d.writeShort(0); // authPolicy: empty
      d.writeShort(size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return command(0x0000012A, new int[] {TPM_RH_PLATFORM}, p.toByteArray());
  }

  static byte[] nvWrite(int index, byte[] data, int offset) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(p);
    try {
      d.writeShort(data.length);
      d.write(data);
      d.writeShort(offset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return command(0x00000137, new int[] {TPM_RH_PLATFORM, index}, p.toByteArray());
  }

  /** A command whose first handle is authorized by a password session with the empty auth value. */
  private static byte[] command(int cc, int[] handles, byte[] params) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(body);
    try {
      for (int h : handles) {
        out.writeInt(h);
      }
      out.writeInt(9);
      out.writeInt(0x40000009); // TPM_RS_PW
      out.writeShort(0);
      out.writeByte(0);
      out.writeShort(0);
      out.write(params);
      ByteArrayOutputStream cmd = new ByteArrayOutputStream();
      DataOutputStream h = new DataOutputStream(cmd);
      h.writeShort(0x8002);
      h.writeInt(10 + body.size());
      h.writeInt(cc);
      body.writeTo(cmd);
      return cmd.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
