package dev.keytrust.agent.cli;

import dev.keytrust.key.KeyAlgorithm;
import picocli.CommandLine.Option;

/** {@code --alg ALG} of the commands that create a user's first key (provision, key create). */
final class AlgorithmOption {

  @Option(
      names = "--alg",
      paramLabel = "ALG",
      defaultValue = "rsa2048",
      converter = AlgorithmConverter.class,
      description = "Key algorithm: rsa2048 (default, as Windows Hello for Business) or p256.")
  KeyAlgorithm algorithm;
}
