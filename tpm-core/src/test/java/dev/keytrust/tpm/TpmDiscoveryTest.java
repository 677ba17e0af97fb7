package dev.keytrust.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.error.KeytrustException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** TPM discovery against fake sysfs and /dev trees laid out as the Linux kernel lays them out. */
class TpmDiscoveryTest {
  @TempDir Path root;
  private Path sys;
  private Path dev;
  private TpmDiscovery discovery;

  @BeforeEach
  void trees() throws IOException {
    sys = Files.createDirectories(root.resolve("sys"));
    dev = Files.createDirectories(root.resolve("dev"));
    discovery = new TpmDiscovery(sys, dev);
  }

  /** /sys/class/tpm/tpmN with tpm_version_major (null: an older kernel without it). */
  private Path tpm(int n, String versionMajor) throws IOException {
    Path dir = Files.createDirectories(sys.resolve("class/tpm/tpm" + n));
    if (versionMajor != null) {
      Files.writeString(dir.resolve("tpm_version_major"), versionMajor + "\n");
    }
    return dir;
  }

  private void resourceManager(int n) throws IOException {
    Files.createDirectories(sys.resolve("class/tpmrm/tpmrm" + n));
    node("tpmrm" + n);
  }

  private Path node(String name) throws IOException {
    return Files.createFile(dev.resolve(name));
  }

  private void driver(Path tpmDir, String driver) throws IOException {
    Path device = Files.createDirectories(tpmDir.resolve("device"));
    Files.createSymbolicLink(device.resolve("driver"), Path.of("../../../../bus/platform/drivers/" + driver));
  }

  @Test
  void aTpm20WithItsResourceManagerIsListedAndChosen() throws Exception {
    driver(tpm(0, "2"), "tpm_crb");
    node("tpm0");
    resourceManager(0);

    List<DiscoveredTpm> found = discovery.list();

    assertThat(found).singleElement().satisfies(t -> {
      assertThat(t.name()).isEqualTo("tpm0");
      assertThat(t.version()).isEqualTo(TpmVersion.TPM_2_0);
      assertThat(t.versionSource()).isEqualTo("tpm_version_major");
      assertThat(t.driver()).isEqualTo("tpm_crb");
      assertThat(t.rawNode().path()).isEqualTo(dev.resolve("tpm0"));
      assertThat(t.resourceManagerNode().path()).isEqualTo(dev.resolve("tpmrm0"));
      assertThat(t.usableByAuto()).isTrue();
    });
    TpmUri chosen = discovery.chooseAuto();
    assertThat(chosen.scheme()).isEqualTo(TpmUri.DEVICE);
    assertThat(chosen.path()).isEqualTo(dev.resolve("tpmrm0").toString());
    assertThat(chosen).isEqualTo(TpmUri.parse("device:" + dev.resolve("tpmrm0")));
  }

  @Test
  void noTpmIsTheActionableUnreachableError() {
    assertThat(discovery.list()).isEmpty();

    assertThatThrownBy(() -> discovery.chooseAuto())
        .isInstanceOfSatisfying(KeytrustException.class, e -> {
          assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_UNREACHABLE);
          assertThat(e.code().id()).isEqualTo("KT-0101");
        })
        .hasMessageStartingWith("No TPM found: " + sys.resolve("class/tpm") + " lists none")
        .hasMessageContaining("firmware setup")
        .hasMessageContaining("tpm_tis or tpm_crb")
        .hasMessageContaining("the TPM URI mssim://HOST:PORT")
        .hasMessageContaining("'software'");
  }

  @Test
  void aTpm12IsRefused() throws Exception {
    tpm(0, "1");
    node("tpm0");

    assertThat(discovery.list()).singleElement()
        .satisfies(t -> assertThat(t.version()).isEqualTo(TpmVersion.TPM_1_2));
    assertThatThrownBy(() -> discovery.chooseAuto())
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_VERSION_UNSUPPORTED))
        .hasMessageContaining("tpm0, is a TPM 1.2 (from tpm_version_major)")
        .hasMessageContaining("keytrust needs a TPM 2.0");
  }

  @Test
  void anOlderKernelsTpm12IsKnownByItsCapsAttribute() throws Exception {
    Path dir = tpm(0, null);
    Files.createDirectories(dir.resolve("device"));
    Files.writeString(dir.resolve("device/caps"), "Manufacturer: 0x49465800\nTCG version: 1.2\n");
    node("tpm0");

    assertThat(discovery.list()).singleElement().satisfies(t -> {
      assertThat(t.version()).isEqualTo(TpmVersion.TPM_1_2);
      assertThat(t.versionSource()).isEqualTo("the TPM 1.2 attribute caps");
    });
    assertThatThrownBy(() -> discovery.chooseAuto())
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_VERSION_UNSUPPORTED));
  }

  @Test
  void aRawOnlyTpm20IsNeverChosenButTheMessageSaysHowToNameIt() throws Exception {
    tpm(0, "2");
    node("tpm0");

    assertThat(discovery.list()).singleElement().satisfies(t -> {
      assertThat(t.resourceManagerNode()).isNull();
      assertThat(t.usableByAuto()).isFalse();
      assertThat(t.resourceManagerUri()).isNull();
    });
    assertThatThrownBy(() -> discovery.chooseAuto())
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_NO_RESOURCE_MANAGER))
        .hasMessageContaining("tpm0 is a TPM 2.0 without a resource manager node")
        .hasMessageContaining(dev.resolve("tpmrm0") + " is missing")
        .hasMessageContaining("never uses the raw device " + dev.resolve("tpm0"))
        .hasMessageContaining("the TPM URI device:" + dev.resolve("tpm0"));
  }

  @Test
  void theFirstTpm20WithAResourceManagerWinsInNumericOrder() throws Exception {
    tpm(0, "1");
    node("tpm0");
    tpm(2, "2");
    node("tpm2"); // raw only: skipped
    tpm(10, "2");
    node("tpm10");
    resourceManager(10);
    tpm(11, "2");
    resourceManager(11);

    assertThat(discovery.list()).extracting(DiscoveredTpm::name).containsExactly("tpm0", "tpm2", "tpm10", "tpm11");
    assertThat(discovery.chooseAuto().path()).isEqualTo(dev.resolve("tpmrm10").toString());
  }

  @Test
  void withoutTpmVersionMajorAResourceManagerMeansTpm20() throws Exception {
    tpm(0, null);
    resourceManager(0);

    assertThat(discovery.list()).singleElement().satisfies(t -> {
      assertThat(t.version()).isEqualTo(TpmVersion.TPM_2_0);
      assertThat(t.versionSource()).isEqualTo("its resource manager, which only TPM 2.0 has");
      assertThat(t.rawNode()).isNull();
      assertThat(t.driver()).isNull();
    });
    assertThat(discovery.chooseAuto().path()).isEqualTo(dev.resolve("tpmrm0").toString());
  }

  @Test
  void aResourceManagerNodeWithoutSysfsEntryIsFoundToo() throws Exception {
    // a container given --device /dev/tpmrm0 with a sysfs that does not list the TPM
    node("tpmrm0");

    assertThat(discovery.list()).singleElement().satisfies(t -> {
      assertThat(t.name()).isEqualTo("tpm0");
      assertThat(t.version()).isEqualTo(TpmVersion.TPM_2_0);
    });
    assertThat(discovery.chooseAuto().path()).isEqualTo(dev.resolve("tpmrm0").toString());
  }

  @Test
  void aTpmOfUnknownVersionWithoutResourceManagerIsRefused() throws Exception {
    tpm(0, null);
    node("tpm0");

    assertThat(discovery.list()).singleElement()
        .satisfies(t -> assertThat(t.version()).isEqualTo(TpmVersion.UNKNOWN));
    assertThatThrownBy(() -> discovery.chooseAuto())
        .isInstanceOfSatisfying(
            KeytrustException.class, e -> assertThat(e.code()).isEqualTo(CoreErrorCode.TPM_VERSION_UNSUPPORTED))
        .hasMessageContaining("does not say its version")
        .hasMessageContaining("the TPM URI device:" + dev.resolve("tpm0"));
  }

  @Test
  void namesThatAreNotTpmsAreIgnored() throws Exception {
    Files.createDirectories(sys.resolve("class/tpm/tpmfoo"));
    Files.createDirectories(sys.resolve("class/tpm/tpm99999999999"));
    node("tpmrmx");
    node("tpm");

    assertThat(discovery.list()).isEmpty();
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void factsNameTheVersionDriverAndNodes() throws Exception {
    driver(tpm(0, "2"), "tpm_tis");
    node("tpm0");
    resourceManager(0);
    Files.setPosixFilePermissions(dev.resolve("tpmrm0"), PosixFilePermissions.fromString("rw-rw----"));
    TpmDeviceNode expected = TpmDeviceNode.of(dev.resolve("tpmrm0"));

    DiscoveredTpm t = discovery.list().get(0);

    assertThat(t.resourceManagerNode()).isEqualTo(expected);
    assertThat(expected.permissions()).isEqualTo("rw-rw----");
    assertThat(expected.groupCanReadWrite()).isTrue();
    assertThat(t.facts()).containsExactly(
        "tpm0: TPM 2.0 (from tpm_version_major), driver tpm_tis",
        "resource manager: " + dev.resolve("tpmrm0") + " (rw-rw---- " + expected.owner() + ":"
            + expected.group() + ", " + (expected.accessible() ? "usable" : "not usable") + " by this user)",
        "raw device: " + t.rawNode());
  }
}
