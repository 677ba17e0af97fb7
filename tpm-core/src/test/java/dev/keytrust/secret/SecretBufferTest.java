package dev.keytrust.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class SecretBufferTest {
  private static final byte[] SECRET = {11, 22, 33, 44, 55, 66, 77, 88};
  private static final SecretAccess ACCESS = InsecureSecretAccess.get();

  private final Logger logger = (Logger) LoggerFactory.getLogger(SecretBuffers.class);
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  @BeforeEach
  void capture() {
    events.start();
    logger.addAppender(events);
  }

  @AfterEach
  void release() {
    logger.detachAppender(events);
  }

  private List<ILoggingEvent> warnings() {
    return events.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
  }

  @Test
  void withoutAProviderBuffersAreOnTheHeapAndOneWarningIsLogged() {
    SecretBuffers source = new SecretBuffers(() -> null);

    try (SecretMemory a = source.allocate(8);
        SecretMemory b = source.allocate(16)) {
      assertThat(a).isInstanceOf(HeapSecretMemory.class);
      assertThat(a.isLocked()).isFalse();
      assertThat(b.size()).isEqualTo(16);
    }

    assertThat(warnings()).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
        .contains("ordinary heap memory")
        .contains("no secret buffer provider (module keytrust-native) is on the class path")
        .contains("shown once"));
  }

  @Test
  void aProviderIsLookedUpOnceAndUsedWithoutWarning() {
    AtomicInteger lookups = new AtomicInteger();
    List<Integer> sizes = new ArrayList<>();
    SecretBufferProvider provider = size -> {
      sizes.add(size);
      return new HeapSecretMemory(size);
    };
    SecretBuffers source = new SecretBuffers(() -> {
      lookups.incrementAndGet();
      return provider;
    });

    source.allocate(4).close();
    source.allocate(32).close();

    assertThat(lookups).hasValue(1);
    assertThat(sizes).containsExactly(4, 32);
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aFailingProviderFallsBackToTheHeapWithOneWarning() {
    SecretBuffers source = new SecretBuffers(() -> size -> {
      throw new UnsatisfiedLinkError("no libc here");
    });

    SecretMemory a = source.allocate(8);
    source.allocate(8).close();
    a.close();

    assertThat(a).isInstanceOf(HeapSecretMemory.class);
    assertThat(warnings()).singleElement()
        .satisfies(e -> assertThat(e.getFormattedMessage()).contains("no libc here"));
  }

  @Test
  void closeZeroesTheBytesAndForbidsFurtherUse() {
    HeapSecretMemory b = new HeapSecretMemory(SECRET.length);
    b.write(0, SECRET, 0, SECRET.length);
    assertThat(b.array()).isEqualTo(SECRET);

    b.close();
    b.close();

    assertThat(b.array()).containsOnly(0);
    assertThatThrownBy(() -> b.read(0, new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> b.write(0, SECRET, 0, 1)).isInstanceOf(IllegalStateException.class);
    assertThat(b).hasToString("SecretBuffer[size=8, heap, closed]");
  }

  @Test
  void moveFromZeroesTheSourceAndCopyOfDoesNot() {
    byte[] moved = SECRET.clone();
    byte[] copied = SECRET.clone();
    SecretBuffers heap = new SecretBuffers(() -> HeapSecretMemory::new);

    try (SecretBuffer a = SecretBuffer.moveFrom(moved);
        SecretBuffer b = SecretBuffer.copyOf(copied)) {
      assertThat(moved).containsOnly(0);
      assertThat(copied).isEqualTo(SECRET);
      assertThat(a.copy(ACCESS)).isEqualTo(SECRET);
      assertThat(b.copy(ACCESS)).isEqualTo(SECRET);
    }
    try (SecretMemory c = heap.allocate(3)) {
      byte[] read = new byte[3];
      c.read(0, read, 0, 3);
      assertThat(read).containsExactly(0, 0, 0);
    }
    assertThatThrownBy(() -> SecretBuffer.copyOf(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withCopyZeroesTheCopyAfterUseEvenWhenItThrows() {
    List<byte[]> seen = new ArrayList<>();
    try (SecretBuffer b = SecretBuffer.copyOf(SECRET)) {
      int sum = b.withCopy(ACCESS, bytes -> {
        seen.add(bytes);
        int s = 0;
        for (byte x : bytes) {
          s += x;
        }
        return s;
      });
      assertThat(sum).isEqualTo(396);
      assertThatThrownBy(() -> b.withCopy(ACCESS, bytes -> {
        seen.add(bytes);
        throw new java.io.IOException("boom");
      })).hasMessage("boom");
      // the buffer itself still holds the secret
      assertThat(b.copy(ACCESS)).isEqualTo(SECRET);
    }
    assertThat(seen).hasSize(2).allSatisfy(copy -> assertThat(copy).containsOnly(0));
  }

  @Test
  void readingTheBytesNeedsTheAccessToken() {
    try (SecretBuffer b = SecretBuffer.copyOf(SECRET)) {
      assertThatThrownBy(() -> b.copy(null)).isInstanceOf(NullPointerException.class).hasMessage("access");
      assertThatThrownBy(() -> b.withCopy(null, bytes -> bytes.length)).isInstanceOf(NullPointerException.class);
      assertThat(b.toString()).doesNotContain("11").doesNotContain("22");
    }
  }

  @Test
  void toStringShowsNoBytes() {
    try (SecretMemory b = new HeapSecretMemory(4)) {
      b.write(0, new byte[] {0x41, 0x42, 0x43, 0x44}, 0, 4);
      assertThat(b.toString()).isEqualTo("SecretBuffer[size=4, heap]").doesNotContain("65").doesNotContain("ABCD");
    }
  }

  @Test
  void accessOutsideTheBufferIsRejected() {
    try (SecretMemory b = new HeapSecretMemory(4)) {
      assertThatThrownBy(() -> b.write(2, SECRET, 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> b.read(-1, new byte[4], 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> b.read(0, new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
    assertThatThrownBy(() -> new SecretBuffers(() -> null).allocate(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
