package dev.keytrust.lab.kdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keytrust.lab.LabException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KDC root's recipe and cache rules, without building anything (no root needed). */
class KdcRootImageTest {
  @TempDir Path tmp;

  @Test
  void theMirrorIsTheFirstDebianArchiveOfTheAptSourcesNotTheSecurityOne() throws Exception {
    Path deb822 = Files.writeString(tmp.resolve("debian.sources"), """
        Types: deb
        URIs: http://deb.debian.org/debian-security
        Suites: bookworm-security

        Types: deb
        # http://snapshot.debian.org/archive/debian/20250520T000000Z
        URIs: http://deb.debian.org/debian/
        Suites: bookworm bookworm-updates
        """);
    assertThat(KdcRootImage.debianMirrorIn(deb822)).contains("http://deb.debian.org/debian");

    Path oneLine = Files.writeString(tmp.resolve("sources.list"), """
        # deb http://old.example/debian bookworm main
        deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://ftp.de.debian.org/debian bookworm main
        """);
    assertThat(KdcRootImage.debianMirrorIn(oneLine)).contains("https://ftp.de.debian.org/debian");

    Path other = Files.writeString(tmp.resolve("nodesource.list"),
        "deb https://deb.nodesource.com/node_20.x nodistro main\n");
    assertThat(KdcRootImage.debianMirrorIn(other)).isEmpty();
    assertThat(KdcRootImage.debianMirrorIn(tmp.resolve("missing.list"))).isEmpty();
  }

  @Test
  void theMirrorPropertyWins() {
    System.setProperty(KdcRootImage.MIRROR_PROPERTY, "http://mirror.example/debian");
    try {
      assertThat(KdcRootImage.mirror()).isEqualTo("http://mirror.example/debian");
    } finally {
      System.clearProperty(KdcRootImage.MIRROR_PROPERTY);
    }
  }

  @Test
  void theCacheFolderIsThePropertyWhenSetAndTheRootIsNamedByTheRecipeHash() {
    System.setProperty(KdcRootImage.CACHE_PROPERTY, tmp.toString());
    try {
      assertThat(KdcRootImage.cacheDir()).isEqualTo(tmp);
      assertThat(KdcRootImage.path()).isEqualTo(tmp.resolve("kdc-root-" + KdcRecipe.hash()));
      assertThat(KdcRootImage.cached()).isFalse();
    } finally {
      System.clearProperty(KdcRootImage.CACHE_PROPERTY);
    }
    assertThat(KdcRecipe.hash()).matches("[0-9a-f]{12}").isEqualTo(KdcRecipe.hash());
  }

  @Test
  void sambaVersionsAreComparedByMajorAndMinor() {
    int[] min = {4, 24};
    assertThat(KdcRootImage.atLeast("2:4.24.8+dfsg-1~bpo13+1", min)).isTrue();
    assertThat(KdcRootImage.atLeast("2:4.25.0+dfsg-1", min)).isTrue();
    assertThat(KdcRootImage.atLeast("5.0.1", min)).isTrue();
    assertThat(KdcRootImage.atLeast("2:4.23.9+dfsg-1", min)).isFalse();
    assertThat(KdcRootImage.atLeast("2:4.17.12+dfsg-0+deb12u1", min)).isFalse();
    assertThat(KdcRootImage.atLeast("garbage", min)).isFalse();
  }

  @Test
  void templatesAreFilledCompletelyOrRefused() {
    String hosts = KdcRecipe.fill(KdcRecipe.HOSTS, Map.of("ADDRESS", "127.0.0.2", "DC_HOST",
        "dc.keytrust.lab", "DC_SHORT", "dc"));
    assertThat(hosts).contains("127.0.0.2\tdc.keytrust.lab dc");
    assertThatThrownBy(() -> KdcRecipe.fill(KdcRecipe.HOSTS, Map.of("ADDRESS", "127.0.0.2")))
        .hasMessageContaining("${DC_HOST}");
  }

  @Test
  void pathsInsideTheRootStayInsideIt() {
    Path root = tmp.resolve("root");
    assertThat(Chroot.hostPath(root, "/etc/krb5.conf")).isEqualTo(root.resolve("etc/krb5.conf"));
    assertThatThrownBy(() -> Chroot.hostPath(root, "/etc/../../x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Chroot.hostPath(root, "etc/krb5.conf"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aFileIsNotWrittenThroughALinkInTheRoot() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.createSymbolicLink(root.resolve("etc"), outside);
    assertThatThrownBy(() -> Chroot.writeInRoot(root, "/etc/hosts", "x", "rw-r--r--"))
        .isInstanceOf(LabException.class).hasMessageContaining("is a link");
    assertThat(outside.resolve("hosts")).doesNotExist();

    Files.createDirectories(root.resolve("var"));
    Files.createSymbolicLink(root.resolve("var/target"), outside.resolve("victim"));
    Chroot.writeInRoot(root, "/var/target", "y", "rw-r--r--");
    assertThat(outside.resolve("victim")).doesNotExist();
    assertThat(root.resolve("var/target")).isRegularFile().hasContent("y");
  }

  @Test
  void anUnreachableMirrorFailsTheBuildWithOneClearMessageAndLeavesNoRootBehind() throws Exception {
    if (!"true".equals(System.getenv("CI"))) {
      assumeThat(KeyTrustKdc.isRoot() && dev.keytrust.lab.ProcessRunner.onPath("debootstrap"))
          .as("root and debootstrap").isTrue();
    }
    Path cache = Files.createDirectories(tmp.resolve("cache"));
    System.setProperty(KdcRootImage.CACHE_PROPERTY, cache.toString());
    System.setProperty(KdcRootImage.MIRROR_PROPERTY, "http://127.0.0.1:9/debian");
    List<String> progress = new ArrayList<>();
    try {
      assertThatThrownBy(() -> KdcRootImage.ensure(new KdcProgress(progress::add)))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("debootstrap trixie from http://127.0.0.1:9/debian failed")
          .hasMessageContaining("Is the mirror reachable?")
          .hasMessageContaining(KdcRootImage.MIRROR_ENV);
      assertThat(progress).singleElement().asString().contains("debootstrap trixie");
      try (var left = Files.list(cache)) {
        assertThat(left.map(p -> p.getFileName().toString()))
            .noneMatch(n -> n.startsWith("kdc-root-") && !n.endsWith(".log"))
            .noneMatch(n -> n.endsWith(".building"));
      }
      assertThat(Chroot.mountPointsUnder(cache)).isEmpty();
    } finally {
      System.clearProperty(KdcRootImage.CACHE_PROPERTY);
      System.clearProperty(KdcRootImage.MIRROR_PROPERTY);
    }
  }

  @Test
  void theLabAddressIsALoopbackOneOtherThan127001() {
    assertThat(new KeyTrustKdc.Options("127.0.0.2", l -> {}).address()).isEqualTo("127.0.0.2");
    for (String bad : new String[] {"127.0.0.1", "10.0.0.2", "::1", "localhost"}) {
      assertThatThrownBy(() -> new KeyTrustKdc.Options(bad, l -> {}))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
