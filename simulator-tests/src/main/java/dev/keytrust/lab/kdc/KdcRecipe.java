package dev.keytrust.lab.kdc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What the lab KDC is made of, in one place: the Debian suite, the packages, and the templates of
 * the files written into the root when it is built and into each run.
 *
 * <p>{@link #hash()} covers what the cached root is built from: the suite, the variant, the package
 * lists, the minimum Samba version, the build-time templates (apt sources, policy-rc.d) and {@link
 * #VERSION}. A change there names a new cached root ({@link KdcRootImage}), built on next use. The
 * per-run templates (krb5.conf, hosts, resolv.conf, the provision options) are applied to each
 * run's overlay, so a change to them takes effect at the next start without rebuilding 450 MiB;
 * they are not hashed. Nor is the mirror (any Debian mirror serves the same packages), nor the
 * address a run listens on (templates take it as {@code ${ADDRESS}}).
 */
final class KdcRecipe {
  /** Bumped when the build steps change in a way the lists and templates below do not show. */
  static final int VERSION = 1;

  /** The Debian release of the root: samba >= 4.24 is in its backports. */
  static final String SUITE = "trixie";
  static final String BACKPORTS = SUITE + "-backports";
  /** debootstrap's variant: essential packages and apt only. */
  static final String VARIANT = "minbase";
  static final List<String> DEBOOTSTRAP_INCLUDE = List.of("ca-certificates");

  /**
   * The DC, from {@link #BACKPORTS}, {@code --no-install-recommends}. {@code samba-ad-provision}
   * must be named: it is only a recommendation of samba-ad-dc, and without it {@code samba-tool
   * domain provision} has no setup files.
   */
  static final List<String> SAMBA_PACKAGES = List.of("samba", "samba-ad-dc", "samba-ad-provision",
      "samba-dsdb-modules", "python3-samba", "winbind", "ldb-tools");
  /** Heimdal's kinit/klist/kvno inside the root: the self-test and the benchmark's baseline. */
  static final List<String> CLIENT_PACKAGES = List.of("heimdal-clients");

  /** The first Samba whose KDC checks PKINIT keys against msDS-KeyCredentialLink. */
  static final int[] MIN_SAMBA = {4, 24};

  /** The root's apt sources ({@code ${MIRROR}}: the host's Debian mirror). */
  static final String SOURCES_LIST = """
      deb ${MIRROR} ${SUITE} main
      deb ${MIRROR} ${BACKPORTS} main
      """;

  /** Keeps package scripts from starting services inside the root while it is built. */
  static final String POLICY_RC_D = "#!/bin/sh\nexit 101\n";

  /** Name resolution inside the root, per run: no DNS traffic leaves the machine. */
  static final String RESOLV_CONF = "nameserver ${ADDRESS}\n";

  /** /etc/hosts inside the root, per run. */
  static final String HOSTS = """
      127.0.0.1\tlocalhost
      ${ADDRESS}\t${DC_HOST} ${DC_SHORT}
      """;

  /**
   * /etc/krb5.conf inside the root, per run: read by Samba's KDC (its embedded Heimdal) for
   * {@code [kdc]}, and by the Heimdal tools in the root. Without enable-pkinit, pkinit_identity and
   * pkinit_anchors the KDC answers PKINIT with error 31 ("PKINIT not enabled").
   */
  static final String KRB5_CONF_IN_ROOT = """
      [libdefaults]
      \tdefault_realm = ${REALM}
      \tdns_lookup_realm = false
      \tdns_lookup_kdc = false
      \trdns = false
      \tdns_canonicalize_hostname = false

      [realms]
      \t${REALM} = {
      \t\tkdc = ${ADDRESS}
      \t\tadmin_server = ${ADDRESS}
      \t\tpkinit_anchors = FILE:${PKI_DIR}/ca.pem
      \t\tpkinit_kdc_hostname = ${DC_HOST}
      \t}

      [domain_realm]
      \t.${DOMAIN} = ${REALM}
      \t${DOMAIN} = ${REALM}

      [appdefaults]
      \tpkinit_anchors = FILE:${PKI_DIR}/ca.pem

      [kdc]
      \tenable-pkinit = yes
      \tpkinit_identity = FILE:${PKI_DIR}/kdc.pem,${PKI_DIR}/kdc.key
      \tpkinit_anchors = FILE:${PKI_DIR}/ca.pem
      """;

  /**
   * The krb5.conf for clients on the host (MIT klist, kvno, kinit; keytrust's own client), per run:
   * the realm's KDC on the run's address, the KDC CA as the PKINIT anchor (a host path).
   */
  static final String KRB5_CONF_FOR_HOST = """
      # keytrust lab KDC: KRB5_CONFIG=${SELF} klist / kvno / kinit
      [libdefaults]
      \tdefault_realm = ${REALM}
      \tdns_lookup_realm = false
      \tdns_lookup_kdc = false
      \trdns = false
      \tdns_canonicalize_hostname = false
      \tudp_preference_limit = 1

      [realms]
      \t${REALM} = {
      \t\tkdc = ${ADDRESS}:88
      \t\tadmin_server = ${ADDRESS}
      \t\tpkinit_anchors = FILE:${CA_FILE}
      \t\tpkinit_kdc_hostname = ${DC_HOST}
      \t}

      [domain_realm]
      \t.${DOMAIN} = ${REALM}
      \t${DOMAIN} = ${REALM}
      \t${DC_HOST} = ${REALM}
      """;

  /**
   * The smb.conf options of {@code samba-tool domain provision}, per run: the DC binds to the
   * run's address only ({@code interfaces = ADDRESS} alone finds no interface, as lo carries only
   * 127.0.0.1; with /8 it is taken), no DNS service (and no forwarder, removed after provisioning),
   * no NetBIOS (which would also bind the loopback broadcast address 127.255.255.255),
   * LDAPS with the lab PKI's certificate, Kerberos and authentication logged for the tests.
   */
  static final List<String> PROVISION_OPTIONS = List.of(
      "interfaces = ${ADDRESS}/8",
      "bind interfaces only = yes",
      "server services = -dns -nbt",
      "disable netbios = yes",
      "dns update command = /bin/true",
      "tls enabled = yes",
      "tls keyfile = ${PKI_DIR}/kdc.key",
      "tls certfile = ${PKI_DIR}/kdc.pem",
      "tls cafile = ${PKI_DIR}/ca.pem",
      "log level = 1 kerberos:3 auth_audit:3");

  private KdcRecipe() {}

  /** The first 12 hex digits of the SHA-256 over the build's inputs (the cache folder's suffix). */
  static String hash() {
    StringBuilder all = new StringBuilder();
    all.append("version=").append(VERSION).append('\n')
        .append("suite=").append(SUITE).append('\n')
        .append("backports=").append(BACKPORTS).append('\n')
        .append("variant=").append(VARIANT).append('\n')
        .append("include=").append(DEBOOTSTRAP_INCLUDE).append('\n')
        .append("samba=").append(SAMBA_PACKAGES).append('\n')
        .append("clients=").append(CLIENT_PACKAGES).append('\n')
        .append("min-samba=").append(MIN_SAMBA[0]).append('.').append(MIN_SAMBA[1]).append('\n');
    for (String template : List.of(SOURCES_LIST, POLICY_RC_D)) {
      all.append("template=").append(template).append('\0');
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(all.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256", e);
    }
  }

  /** {@code template} with every {@code ${NAME}} of {@code values} replaced. */
  static String fill(String template, Map<String, String> values) {
    String s = template;
    for (Map.Entry<String, String> v : values.entrySet()) {
      s = s.replace("${" + v.getKey() + "}", v.getValue());
    }
    int left = s.indexOf("${");
    if (left >= 0) {
      throw new IllegalStateException("unfilled placeholder in a KDC template: "
          + s.substring(left, Math.min(s.length(), left + 20)));
    }
    return s;
  }
}
