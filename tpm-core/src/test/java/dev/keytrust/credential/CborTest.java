package dev.keytrust.credential;

import static dev.keytrust.credential.Blobs.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The strict package-private CBOR reader, with examples from RFC 8949 appendix A. */
class CborTest {

  private static Object read(String h) throws StructureException {
    byte[] b = hex(h);
    Cbor.Item item = Cbor.read(b, 0);
    assertThat(item.end()).isEqualTo(b.length);
    return item.value();
  }

  @Test
  void decodesRfc8949Examples() throws Exception {
    assertThat(read("00")).isEqualTo(0L);
    assertThat(read("17")).isEqualTo(23L);
    assertThat(read("1818")).isEqualTo(24L);
    assertThat(read("1903e8")).isEqualTo(1000L);
    assertThat(read("1b000000e8d4a51000")).isEqualTo(1_000_000_000_000L);
    assertThat(read("20")).isEqualTo(-1L);
    assertThat(read("3903e7")).isEqualTo(-1000L);
    assertThat(read("3b7fffffffffffffff")).isEqualTo(Long.MIN_VALUE);
    assertThat(read("4401020304")).isEqualTo(hex("01020304"));
    assertThat(read("6449455446")).isEqualTo("IETF");
    assertThat(read("83010203")).isEqualTo(List.of(1L, 2L, 3L));
    assertThat(read("a201020304")).isEqualTo(Map.of(1L, 2L, 3L, 4L));
    assertThat(read("f4")).isEqualTo(false);
    assertThat(read("f5")).isEqualTo(true);
    assertThat(read("f6")).isSameAs(Cbor.NULL);
    assertThat(read("f7")).isSameAs(Cbor.UNDEFINED);
    assertThat(read("f93c00")).isEqualTo(1.0);
    assertThat(read("f90001")).isEqualTo(5.960464477539063e-8);
    assertThat(read("f9c400")).isEqualTo(-4.0);
    assertThat(read("fa47c35000")).isEqualTo(100000.0);
    assertThat(read("fb3ff199999999999a")).isEqualTo(1.1);
    // {"hmac-secret": true}, the extensions of every real FIDO vector
    assertThat(read("a16b686d61632d736563726574f5")).isEqualTo(Map.of("hmac-secret", true));
  }

  @Test
  void readStopsAfterOneItem() throws Exception {
    Cbor.Item item = Cbor.read(hex("0102"), 0);

    assertThat(item.value()).isEqualTo(1L);
    assertThat(item.end()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "", "18", "1901", "5f", "9f", "bf", "7f", "c0", "d818", "1c", "3c", "1bffffffffffffffff",
    "3b8000000000000000", "44010203", "5b00000000ffffffff", "9b00000000ffffffff", "a1",
    "a2010201 03", "a1400102", "a1f401", "f8ff", "ff", "f0", "62c328", "830102",
  })
  void rejectsMalformedOrDisallowedItems(String h) {
    assertThatThrownBy(() -> Cbor.read(hex(h), 0)).isInstanceOf(StructureException.class);
  }

  @Test
  void rejectsDuplicateKeysAndDeepNesting() {
    assertThatThrownBy(() -> read("a201020103")).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> read("81".repeat(Cbor.MAX_DEPTH + 1) + "00")).hasMessageContaining("nesting");
    assertThatThrownBy(() -> read("81".repeat(10_000) + "00")).hasMessageContaining("nesting");
  }
}
