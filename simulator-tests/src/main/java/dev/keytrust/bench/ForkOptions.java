package dev.keytrust.bench;

/**
 * JVM options of the forked benchmark JVMs ({@code @Fork(jvmArgsAppend = ...)}).
 *
 * <p>Logging is off on purpose: the benchmark jar has no SLF4J binding, and these options select
 * SLF4J's no-operation provider explicitly so that each fork neither prints SLF4J's "no providers"
 * warning nor spends time formatting log lines. JMH's {@code -jvmArgsAppend} on the command line
 * replaces them.
 */
final class ForkOptions {
  static final String SLF4J_NOP = "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider";
  static final String SLF4J_QUIET = "-Dslf4j.internal.verbosity=WARN";

  private ForkOptions() {}
}
