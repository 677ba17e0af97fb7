package dev.keytrust.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code main} builds only the command (and subcommand) its arguments name ({@link
 * KeytrustCli#commandLine(CliEnvironment, String[])}): that command's tree, options and help must be
 * the full tree's, and anything else (no command, an unknown word, options only) gets the full tree.
 */
class CommandPruningTest {
  static Stream<List<String>> commands() {
    return KeytrustCliTest.allCommands().filter(c -> !c.isEmpty());
  }

  private static CommandLine at(CommandLine root, List<String> path) {
    CommandLine c = root;
    for (String word : path) {
      c = c.getSubcommands().get(word);
    }
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void aNamedCommandIsBuiltAloneWithTheSameHelpAndOptions(List<String> path) {
    CliEnvironment env = new CliRunner().stdinEnvironment();
    List<String> args = new ArrayList<>(List.of("-v"));
    args.addAll(path);
    args.add("--help");
    CommandLine pruned = KeytrustCli.commandLine(env, args.toArray(String[]::new));
    CommandLine full = KeytrustCli.commandLine(env);

    assertThat(pruned.getSubcommands().keySet()).containsExactly(path.get(0));
    if (path.size() > 1) {
      assertThat(at(pruned, path.subList(0, 1)).getSubcommands().keySet()).containsExactly(path.get(1));
    }
    CommandLine p = at(pruned, path);
    CommandLine f = at(full, path);
    assertThat(p.getUsageMessage()).isEqualTo(f.getUsageMessage());
    assertThat(p.getCommandSpec().options()).extracting(o -> o.longestName())
        .containsExactlyElementsOf(f.getCommandSpec().options().stream().map(o -> o.longestName()).toList());
    assertThat(p.getSubcommands().keySet()).containsExactlyElementsOf(f.getSubcommands().keySet());
  }

  @ParameterizedTest
  @MethodSource("otherArguments")
  void otherwiseEveryCommandIsBuilt(List<String> args) {
    CliEnvironment env = new CliRunner().stdinEnvironment();
    CommandLine c = KeytrustCli.commandLine(env, args.toArray(String[]::new));
    assertThat(c.getSubcommands().keySet()).containsExactlyElementsOf(
        KeytrustCli.commandLine(env).getSubcommands().keySet());
    assertThat(c.getUsageMessage()).isEqualTo(KeytrustCli.commandLine(env).getUsageMessage());
  }

  static Stream<List<String>> otherArguments() {
    return Stream.of(List.of(), List.of("--help"), List.of("-v", "-V"), List.of("no-such-command", "--help"),
        List.of("-v", "nonsense"));
  }

  @org.junit.jupiter.api.Test
  void theVersionAloneBuildsNoCommand() {
    CliEnvironment env = new CliRunner().stdinEnvironment();
    for (String v : new String[] {"-V", "--version"}) {
      CommandLine c = KeytrustCli.commandLine(env, new String[] {v});
      assertThat(c.getSubcommands()).isEmpty();
      assertThat(c.getCommandSpec().version()).isEqualTo(KeytrustCli.commandLine(env).getCommandSpec().version());
    }
  }
}
