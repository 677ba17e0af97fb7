package dev.keytrust.agent.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.error.CoreErrorCode;
import dev.keytrust.key.Argon2Parameters;
import dev.keytrust.secret.Pin;
import dev.keytrust.secret.TestPins;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinHistoryTest {
  /** Cheap Argon2id so the tests run fast; the default cost has its own test. */
  private static final Argon2Parameters CHEAP = new Argon2Parameters(64, 1, 1);
  private static final Instant T0 = Instant.parse("2025-03-01T08:00:00Z");

  @TempDir Path dir;

  private static PinPolicy policy(int history, int expirationDays) {
    return new PinPolicy(6, 127, CharClassRule.ALLOWED, CharClassRule.ALLOWED, CharClassRule.ALLOWED,
        CharClassRule.ALLOWED, history, expirationDays);
  }

  private PinSealer sealer;

  private PinHistory history(String user, Instant now) throws AgentException {
    if (sealer == null) {
      sealer = TestSealers.software(dir.resolve("keys"));
    }
    return PinHistory.forUser(dir.resolve("state"), user, CHEAP, Clock.fixed(now, ZoneOffset.UTC)).sealedWith(sealer);
  }

  private static Pin pin(String s) {
    return TestPins.pin(s);
  }

  @Test
  void theCurrentPinCountsAndOlderOnesDropOutOfTheWindow() throws Exception {
    PinHistory h = history("alice", T0);
    PinPolicy p = policy(3, 0);
    for (String s : new String[] {"p4ss-one", "p4ss-two", "p4ss-three", "p4ss-four"}) {
      h.record(pin(s), p);
    }
    assertThat(h.size()).isEqualTo(3);
    assertThat(h.contains(pin("p4ss-four"), 3)).as("the current PIN").isTrue();
    assertThat(h.contains(pin("p4ss-two"), 3)).isTrue();
    assertThat(h.contains(pin("p4ss-one"), 3)).as("fourth-newest, beyond history 3").isFalse();
    assertThat(h.contains(pin("p4ss-two"), 2)).as("a smaller policy looks at fewer").isFalse();
    assertThat(h.contains(pin("never-used"), 3)).isFalse();
  }

  @Test
  void theRulesReportAReusedPinWithTheOtherViolations() throws Exception {
    PinHistory h = history("alice", T0);
    PinPolicy p = new PinPolicy(4, 127, CharClassRule.ALLOWED, CharClassRule.ALLOWED, CharClassRule.REQUIRED,
        CharClassRule.ALLOWED, 2, 0);
    h.record(pin("8624"), p);
    assertThat(PinRules.check(pin("8624"), p, h).violations())
        .containsExactly(new PinViolation.MissingClass(CharClass.UPPERCASE), new PinViolation.Reused(2));
    assertThat(PinRules.check(pin("8624X"), p, h).passed()).isTrue();
  }

  @Test
  void noHistoryPolicyStoresNoHashButKeepsTheSetTime() throws Exception {
    PinHistory h = history("bob", T0);
    h.record(pin("187265"), policy(0, 0));
    assertThat(h.size()).isZero();
    assertThat(h.setAt()).contains(T0);
    assertThat(h.contains(pin("187265"), 5)).isFalse();
    assertThat(PinRules.check(pin("187265"), policy(0, 0), h).passed()).isTrue();
  }

  @Test
  void aShrunkPolicyTrimsTheFileOnTheNextChange() throws Exception {
    PinHistory h = history("carol", T0);
    for (String s : new String[] {"aaaa-1", "aaaa-2", "aaaa-3", "aaaa-4"}) {
      h.record(pin(s), policy(10, 0));
    }
    assertThat(h.size()).isEqualTo(4);
    h.record(pin("aaaa-5"), policy(2, 0));
    assertThat(h.size()).isEqualTo(2);
    assertThat(h.contains(pin("aaaa-4"), 10)).isTrue();
    assertThat(h.contains(pin("aaaa-3"), 10)).isFalse();
  }

  @Test
  void theFileIsOwnerOnlyAndHoldsNeitherThePinNorItsBytes() throws Exception {
    PinHistory h = history("dave", T0);
    h.record(pin("Secret-9315"), policy(5, 0));
    Path file = h.file();
    assertThat(file.getParent()).isEqualTo(dir.resolve("state").toAbsolutePath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    String text = Files.readString(file);
    assertThat(text).doesNotContain("Secret-9315")
        .doesNotContain(Base64.getEncoder().encodeToString("Secret-9315".getBytes(StandardCharsets.UTF_8)))
        .startsWith("format=keytrust-pin-history\nversion=2\nuser=dave\nset-at=" + T0 + "\n")
        .contains("sealed=keytrust-sealed-secret-v1:software:", "entries=1\n", "list=")
        .doesNotContain("hashes=", "salt=", "memory-kib");
    assertThat(Files.list(file.getParent())).as("no temporary files left").containsExactly(file);
  }

  @Test
  void usersHaveTheirOwnFilesAndSalts() throws Exception {
    PinHistory a = history("erin", T0);
    PinHistory b = history("frank", T0);
    a.record(pin("shared-pin"), policy(3, 0));
    b.record(pin("shared-pin"), policy(3, 0));
    assertThat(a.file()).isNotEqualTo(b.file());
    String hashA = field(a.file(), "list");
    String hashB = field(b.file(), "list");
    assertThat(hashA).isNotEqualTo(hashB);
    assertThat(b.contains(pin("shared-pin"), 3)).isTrue();
  }

  @Test
  void clearForgetsHistoryAndSetTimeAndTheNextFileHasANewSalt() throws Exception {
    PinHistory h = history("gina", T0);
    h.record(pin("gina-pin-1"), policy(3, 30));
    String salt = field(h.file(), "list");
    h.clear();
    assertThat(h.file()).doesNotExist();
    assertThat(h.size()).isZero();
    assertThat(h.setAt()).isEmpty();
    assertThat(h.contains(pin("gina-pin-1"), 3)).isFalse();
    h.clear(); // nothing to clear is fine
    h.record(pin("gina-pin-1"), policy(3, 30));
    assertThat(field(h.file(), "list")).isNotEqualTo(salt);
  }

  @Test
  void expiryCountsDaysFromTheTimeThePinWasSet() throws Exception {
    PinHistory h = history("hank", T0);
    PinPolicy p = policy(0, 30);
    assertThat(h.expiresAt(p)).as("nothing recorded yet").isEmpty();
    assertThat(h.isExpired(p, T0.plus(Duration.ofDays(1000)))).isFalse();
    h.record(pin("hank-pin"), p);
    Instant expiry = T0.plus(Duration.ofDays(30));
    assertThat(h.expiresAt(p)).contains(expiry);
    assertThat(h.isExpired(p, expiry.minusSeconds(1))).isFalse();
    assertThat(h.isExpired(p, expiry)).isTrue();
    h.requireNotExpired(p, expiry.minusSeconds(1));
    assertThatThrownBy(() -> h.requireNotExpired(p, expiry.plus(Duration.ofHours(2))))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_EXPIRED))
        .hasMessageContaining("expired at " + expiry)
        .hasMessageContaining("2 h ago")
        .hasMessageContaining("set a new PIN");
    assertThat(h.isExpired(policy(0, 0), expiry.plus(Duration.ofDays(5000)))).as("0 = never").isFalse();
  }

  @Test
  void aNewPinRestartsTheExpiryClock() throws Exception {
    PinPolicy p = policy(0, 10);
    history("ivan", T0).record(pin("ivan-pin-1"), p);
    Instant later = T0.plus(Duration.ofDays(9));
    PinHistory h = history("ivan", later);
    h.record(pin("ivan-pin-2"), p);
    assertThat(h.expiresAt(p)).contains(later.plus(Duration.ofDays(10)));
  }

  @Test
  void aDamagedFileIsAnErrorThatSaysWhatToDo() throws Exception {
    PinHistory h = history("judy", T0);
    h.record(pin("judy-pin"), policy(2, 0));
    String text = Files.readString(h.file());
    Files.writeString(h.file(), text.replace("entries=1", "entries=2"));
    assertThatThrownBy(() -> history("judy", T0).contains(pin("judy-pin"), 2))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_HISTORY_IO))
        .hasMessageContaining("damaged")
        .hasMessageContaining("remove it");
    Files.writeString(h.file(), text.substring(0, text.length() / 2));
    assertThatThrownBy(history("judy", T0)::size).isInstanceOf(AgentException.class).hasMessageContaining("truncated");
  }

  @Test
  void aFileOthersCanReadIsRefused() throws Exception {
    PinHistory h = history("kim", T0);
    h.record(pin("kim-pin-1"), policy(2, 0));
    Files.setPosixFilePermissions(h.file(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> history("kim", T0).unlock(pin("kim-pin-1")))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.PIN_HISTORY_IO))
        .hasMessageContaining("chmod 600");
  }

  @Test
  void aFileOfAnotherUserIsNotTakenForThisOne() throws Exception {
    PinHistory a = history("leo", T0);
    PinHistory b = history("mia", T0);
    a.record(pin("leo-pin-1"), policy(2, 0));
    Files.copy(a.file(), b.file());
    assertThatThrownBy(b::size).isInstanceOf(AgentException.class).hasMessageContaining("another user");
  }

  @Test
  void theDefaultCostWorksEndToEnd() throws Exception {
    PinSealer s = TestSealers.software(dir.resolve("keys"));
    PinHistory h = PinHistory.forUser(dir, "nina", PinHistory.DEFAULT_COST, Clock.fixed(T0, ZoneOffset.UTC)).sealedWith(s);
    h.record(pin("nina-pin-1"), policy(1, 0));
    assertThat(h.contains(pin("nina-pin-1"), 1)).isTrue();
    PinHistory again = PinHistory.forUser(dir, "nina", PinHistory.DEFAULT_COST, Clock.systemUTC()).sealedWith(s);
    again.unlock(pin("nina-pin-1"));
    assertThat(again.contains(pin("nina-pin-1"), 1)).isTrue();
    assertThat(PinHistory.DEFAULT_COST.memoryKiB()).isLessThan(Argon2Parameters.DEFAULT.memoryKiB());
  }

  @Test
  void theSealedListOpensOnlyWithTheCurrentPin() throws Exception {
    PinPolicy p = policy(5, 0);
    PinHistory h = history("olga", T0);
    h.record(pin("olga-pin-1"), p);
    h.record(pin("olga-pin-2"), p);
    // a new reader of the file alone cannot check anything
    PinHistory reader = history("olga", T0);
    assertThat(reader.contains(pin("olga-pin-1"), 5)).isFalse();
    assertThat(reader.size()).isEqualTo(2);
    // the old PIN opens nothing (the key counts it as a wrong PIN); the current one opens the list
    assertThatThrownBy(() -> reader.unlock(pin("olga-pin-1")))
        .isInstanceOfSatisfying(dev.keytrust.error.KeytrustException.class,
            e -> assertThat(e.code()).isEqualTo(CoreErrorCode.WRONG_PIN));
    reader.unlock(pin("olga-pin-2"));
    assertThat(reader.contains(pin("olga-pin-1"), 5)).isTrue();
    assertThat(reader.contains(pin("olga-pin-2"), 5)).isTrue();
    assertThat(reader.contains(pin("olga-pin-3"), 5)).isFalse();
    // a change re-seals with the new PIN: the previous one no longer opens it
    reader.record(pin("olga-pin-3"), p);
    PinHistory next = history("olga", T0);
    assertThatThrownBy(() -> next.unlock(pin("olga-pin-2"))).isInstanceOf(dev.keytrust.error.KeytrustException.class);
    next.unlock(pin("olga-pin-3"));
    assertThat(next.contains(pin("olga-pin-1"), 5)).isTrue();
  }

  @Test
  void aPlainFileOfAnEarlierVersionIsReadAndReplacedBySealedOneAtTheNextChange() throws Exception {
    // what keytrust wrote before the history was sealed: Argon2id hashes in clear
    byte[] salt = new byte[16];
    byte[] old = CHEAP.deriveKey("paul-pin-1".getBytes(StandardCharsets.UTF_8), salt);
    PinHistory h = history("paul", T0);
    new dev.keytrust.agent.internal.StateFiles(dir.resolve("state"), AgentErrorCode.PIN_HISTORY_IO, "PIN history")
        .write(h.file(), new dev.keytrust.store.TextRecord.Writer("keytrust-pin-history", 1)
            .text("user", "paul").text("kdf", "argon2id").text("memory-kib", "64").text("iterations", "1")
            .text("parallelism", "1").text("salt", Base64.getEncoder().encodeToString(salt))
            .text("set-at", T0.toString()).text("hashes", Base64.getEncoder().encodeToString(old)));
    PinHistory reader = history("paul", T0);
    assertThat(reader.contains(pin("paul-pin-1"), 3)).as("a plain file is still read").isTrue();
    reader.unlock(pin("paul-pin-1"));
    reader.record(pin("paul-pin-2"), policy(3, 0));
    String text = Files.readString(h.file());
    assertThat(text).contains("version=2\n", "sealed=").doesNotContain("hashes=", Base64.getEncoder().encodeToString(old));
    PinHistory next = history("paul", T0);
    next.unlock(pin("paul-pin-2"));
    assertThat(next.contains(pin("paul-pin-1"), 3)).as("the converted list keeps the old PIN").isTrue();
  }

  @Test
  void badUserNamesAreRefused() {
    assertThatThrownBy(() -> history("", T0)).isInstanceOfSatisfying(AgentException.class,
        e -> assertThat(e.code()).isEqualTo(CoreErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(() -> history("a\nb", T0)).isInstanceOf(AgentException.class);
  }

  private static String field(Path file, String name) throws Exception {
    return Files.readAllLines(file).stream().filter(l -> l.startsWith(name + "=")).findFirst().orElseThrow()
        .substring(name.length() + 1);
  }
}
