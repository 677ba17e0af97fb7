package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The extension's own life cycle, driven by hand (it does not read the context). */
class SwtpmExtensionTest {

  @Test
  void afterAll_stopsTheProcessAndDeletesItsDirectory() throws Exception {
    SwtpmExtension ext = SwtpmExtension.unix();
    ext.beforeAll(null);
    Swtpm swtpm = ext.swtpm();
    long pid = swtpm.pid();
    Path state = swtpm.stateDir();
    Files.writeString(ext.workDir().resolve("scratch"), "x");
    assertThat(swtpm.isRunning()).isTrue();
    assertThat(swtpm.dataSocket()).exists();

    ext.afterAll(null);

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(state.getParent()).doesNotExist();
    assertThatThrownBy(ext::swtpm).isInstanceOf(IllegalStateException.class).hasMessageContaining("static field");
  }

  @Test
  void afterAll_stopsTheInstanceEvenAfterARestart() throws Exception {
    SwtpmExtension ext = SwtpmExtension.tcp();
    ext.beforeAll(null);
    Swtpm swtpm = ext.swtpm();
    long firstPid = swtpm.pid();
    swtpm.restart();
    long secondPid = swtpm.pid();

    ext.afterAll(null);

    assertThat(secondPid).isNotEqualTo(firstPid);
    assertThat(ProcessHandle.of(secondPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
