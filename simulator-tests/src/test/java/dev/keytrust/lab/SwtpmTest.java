package dev.keytrust.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness against real swtpm processes; every test starts and stops its own instances. */
class SwtpmTest {
  private static final String SRK = "0x81000001";

  @TempDir Path tmp;

  @BeforeAll
  static void requireTools() {
    assertThat(Swtpm.available()).as(Swtpm.MISSING_MESSAGE).isTrue();
    assertThat(Tpm2Tools.available()).as("tpm2-tools is not on PATH: run ./scripts/test.sh").isTrue();
  }

  @Test
  void startTcp_bindsBothPortsOnLoopbackAndServesTpm2Tools() {
    try (Swtpm swtpm = Swtpm.startTcp(tmp.resolve("state"))) {
      int p = swtpm.port();
      assertThat(swtpm.tpmUri()).isEqualTo("mssim://127.0.0.1:" + p);
      assertThat(swtpm.tpm2toolsTcti()).isEqualTo("swtpm:host=127.0.0.1,port=" + p);
      assertThat(swtpm.stateDir()).isEqualTo(tmp.resolve("state").toAbsolutePath());
      assertThat(swtpm.isRunning()).isTrue();
      assertThat(Swtpm.pairFree(p)).as("swtpm holds P and P+1").isFalse();

      Tpm2Tools tools = new Tpm2Tools(swtpm, tmp.resolve("work"));
      ProcessResult r = tools.run("tpm2_getrandom", "8", "--hex");
      assertThat(r.stdout().strip()).matches("[0-9a-f]{16}");
      assertThat(tools.getRandom(8)).hasSize(8);
      assertThat(Files.readString(swtpm.logFile())).isNotNull();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void restart_onTheSameStateDir_keepsPersistentObjects() {
    try (Swtpm swtpm = Swtpm.startTcp(tmp.resolve("state"))) {
      Tpm2Tools tools = new Tpm2Tools(swtpm, tmp.resolve("work"));
      tools.run("tpm2_createprimary", "-C", "o", "-c", "p.ctx", "-Q");
      tools.run("tpm2_evictcontrol", "-C", "o", "-c", "p.ctx", SRK);
      tools.flushTransient();
      String name = tools.readPublic(SRK).name();
      long oldPid = swtpm.pid();
      int oldPort = swtpm.port();

      assertThat(swtpm.restart()).isSameAs(swtpm);

      assertThat(swtpm.pid()).isNotEqualTo(oldPid);
      assertThat(alive(oldPid)).isFalse();
      assertThat(swtpm.port()).as("the free port is reused").isEqualTo(oldPort);
      assertThat(tools.readPublic(SRK).name()).isEqualTo(name).matches("000b[0-9a-f]{64}");
      assertThat(tools.tryRun("tpm2_readpublic", "-c", "0x81000002").succeeded()).isFalse();
    }
  }

  @Test
  void restart_whenTheOldPortIsTaken_movesToAFreePair() throws IOException {
    try (Swtpm swtpm = Swtpm.startTcp(tmp.resolve("state"))) {
      int oldPort = swtpm.port();
      swtpm.stop();
      try (ServerSocket squatter = new ServerSocket()) {
        squatter.setReuseAddress(true);
        squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), oldPort));

        swtpm.restart();

        assertThat(swtpm.port()).isNotEqualTo(oldPort);
        assertThat(swtpm.isRunning()).isTrue();
        assertThat(new Tpm2Tools(swtpm, tmp).getRandom(4)).hasSize(4);
      }
    }
  }

  @Test
  void start_thatLosesAPortRace_retriesOnAnotherPair() throws IOException {
    try (ServerSocket squatter = new ServerSocket()) {
      squatter.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int taken = squatter.getLocalPort();

      try (Swtpm swtpm = Swtpm.startTcpRacing(tmp.resolve("state"), taken)) {
        assertThat(swtpm.port()).isNotEqualTo(taken);
        assertThat(swtpm.isRunning()).isTrue();
        assertThat(new Tpm2Tools(swtpm, tmp).getRandom(4)).hasSize(4);
        assertThat(Files.readString(swtpm.logFile())).contains("Address already in use");
      }
    }
  }

  @Test
  void twoInstances_getDistinctPortPairsAndStateDirs() {
    try (Swtpm a = Swtpm.startTcp(tmp.resolve("a"));
        Swtpm b = Swtpm.startTcp(tmp.resolve("b"))) {
      assertThat(Math.abs(a.port() - b.port())).as("port pairs overlap").isGreaterThan(1);
      assertThat(a.stateDir()).isNotEqualTo(b.stateDir());
      assertThat(a.pid()).isNotEqualTo(b.pid());
      assertThat(new Tpm2Tools(a, tmp).getRandom(4)).hasSize(4);
      assertThat(new Tpm2Tools(b, tmp).getRandom(4)).hasSize(4);
      assertThat(Files.exists(a.stateDir().resolve("tpm2-00.permall"))).isTrue();
      assertThat(Files.exists(b.stateDir().resolve("tpm2-00.permall"))).isTrue();
    }
  }

  @Test
  void stop_endsTheProcess_andIsIdempotent() {
    Swtpm swtpm = Swtpm.startTcp(tmp.resolve("state"));
    long pid = swtpm.pid();
    assertThat(alive(pid)).isTrue();

    swtpm.stop();

    assertThat(alive(pid)).isFalse();
    assertThat(swtpm.isRunning()).isFalse();
    swtpm.stop();
    swtpm.close();
    assertThat(swtpm.pid()).isEqualTo(pid);
  }

  @Test
  void startUnix_servesRawTpmCommandsOnItsSocket() throws IOException {
    Path socket;
    try (Swtpm swtpm = Swtpm.startUnix(tmp.resolve("u"))) {
      socket = swtpm.dataSocket();
      assertThat(socket).exists();
      assertThat(socket).isEqualTo(tmp.resolve("u").resolve("tpm.sock").toAbsolutePath());
      assertThat(swtpm.tpmUri()).isEqualTo("unix:" + socket);
      assertThat(swtpm.port()).isEqualTo(-1);
      assertThat(swtpm.supportsTpm2Tools()).isFalse();
      assertThatThrownBy(swtpm::tpm2toolsTcti).isInstanceOf(UnsupportedOperationException.class);

      byte[] response = rawGetRandom(socket, 8);

      assertThat(ByteBuffer.wrap(response, 6, 4).getInt()).as("response code").isZero();
      assertThat(ByteBuffer.wrap(response, 10, 2).getShort()).as("randomBytes.size").isEqualTo((short) 8);
    }
    assertThat(socket).doesNotExist();
  }

  @Test
  void aSecondSwtpmOnALockedStateDir_failsWithSwtpmsOwnDiagnostics() {
    try (Swtpm first = Swtpm.startTcp(tmp.resolve("state"))) {
      assertThatThrownBy(() -> Swtpm.startTcp(tmp.resolve("state")))
          .isInstanceOf(LabException.class)
          .hasMessageContaining("swtpm exited with code")
          .hasMessageContaining("Could not lock access to lockfile")
          .hasMessageContaining(tmp.resolve("state").toString());
      assertThat(first.isRunning()).isTrue();
    }
  }

  @Test
  void startUnix_rejectsASocketPathTooLongForSunPath() {
    Path deep = tmp.resolve("d".repeat(120));
    assertThatThrownBy(() -> Swtpm.startUnix(deep))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("shorter state directory");
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** TPM2_GetRandom(n) as a raw command: tag NO_SESSIONS, size 12, CC 0x17B, bytesRequested. */
  private static byte[] rawGetRandom(Path socket, int n) throws IOException {
    ByteBuffer cmd = ByteBuffer.allocate(12).putShort((short) 0x8001).putInt(12).putInt(0x17B).putShort((short) n);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(cmd.flip());
      InputStream in = Channels.newInputStream(ch);
      DataInputStream data = new DataInputStream(in);
      byte[] header = new byte[10];
      data.readFully(header);
      int size = ByteBuffer.wrap(header, 2, 4).getInt();
      byte[] response = new byte[size];
      System.arraycopy(header, 0, response, 0, 10);
      data.readFully(response, 10, size - 10);
      return response;
    }
  }
}
