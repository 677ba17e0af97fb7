package dev.keytrust.agent.cli;

import dev.keytrust.error.KeytrustException;
import dev.keytrust.key.KeyAlgorithm;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --alg rsa2048|p256}; an unknown name is a usage error (exit 2). */
final class AlgorithmConverter implements ITypeConverter<KeyAlgorithm> {

  @Override
  public KeyAlgorithm convert(String value) {
    try {
      return KeyAlgorithm.fromId(value);
    } catch (KeytrustException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
