package dev.keytrust.agent.endpoint.drs;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Where the bearer token comes from: a file, an environment variable or a command's output. Each
 * {@link #read()} fetches the token afresh (an outside broker may renew it between calls); {@link
 * #check()} runs at open so that a configuration mistake shows before a key is created.
 *
 * <p>No message here quotes a token: only where it was looked for and what was wrong with it.
 */
sealed interface TokenSource {

  /** Fails early, at open, when the source cannot work (missing file, unset variable, ...). */
  void check() throws AgentException;

  /** The current token. */
  BearerToken read() throws AgentException;

  /** Where the token comes from, for messages (never the token). */
  String describe();

  /**
   * {@code token-file}: the content (surrounding whitespace trimmed) of a regular file that no "other" user can
   * read or write (refused otherwise: anyone on the machine could take the token). On file systems
   * without POSIX permissions the check is skipped.
   */
  record FromFile(Path file) implements TokenSource {
    private static final Set<PosixFilePermission> OTHERS =
        EnumSet.of(
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    @Override
    public void check() throws AgentException {
      read();
    }

    @Override
    public BearerToken read() throws AgentException {
      if (!Files.isRegularFile(file)) {
        throw source(
            "The token file " + file + " (setting " + DrsEndpointProvider.TOKEN_FILE + ") does not"
                + " exist or is not a regular file. Write the access token into it, readable by"
                + " its owner only (chmod 600).");
      }
      try {
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
          Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
          Set<PosixFilePermission> open = EnumSet.copyOf(OTHERS);
          open.retainAll(perms);
          if (!open.isEmpty()) {
            throw source(
                "Refusing the token file " + file + ": other users may access it (permissions "
                    + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "), so the"
                    + " token may have leaked. Run 'chmod 600 " + file + "', and get a new token"
                    + " if others could have read this one.");
          }
        }
        if (Files.size(file) > BearerToken.MAX_LENGTH + 2) {
          throw source(
              "The token file " + file + " is " + Files.size(file) + " bytes, too large for an"
                  + " access token. It should hold the token alone.");
        }
        String content = Files.readString(file, StandardCharsets.UTF_8);
        return token(content, "The token in " + file);
      } catch (IOException e) {
        throw new AgentException(
            AgentErrorCode.DRS_TOKEN_SOURCE,
            "Cannot read the token file " + file + " (" + e + "). Check"
                + " that this account may read it.",
            e);
      }
    }

    @Override
    public String describe() {
      return "token file " + file;
    }
  }

  /** {@code token-env}: the value of an environment variable. */
  record FromEnvironment(String variable, Function<String, String> environment)
      implements TokenSource {

    @Override
    public void check() throws AgentException {
      read();
    }

    @Override
    public BearerToken read() throws AgentException {
      String value = environment.apply(variable);
      if (value == null) {
        throw source(
            "The environment variable " + variable + " (setting " + DrsEndpointProvider.TOKEN_ENV
                + ") is not set. Export the access token in it before running keytrust.");
      }
      return token(value, "The environment variable " + variable);
    }

    @Override
    public String describe() {
      return "environment variable " + variable;
    }
  }

  /**
   * {@code token-command}: runs a program (no shell; arguments split at spaces) with no input and
   * takes its standard output as the token. It must exit with 0 within the timeout.
   */
  record FromCommand(List<String> command, Duration timeout) implements TokenSource {
    private static final int MAX_STDERR = 4096;
    private static final int MAX_QUOTED_STDERR = 300;
    /** 20 or more characters of base64/base64url/JWT/hex alphabet: what tokens and secrets look like. */
    private static final java.util.regex.Pattern TOKEN_LIKE =
        java.util.regex.Pattern.compile("[A-Za-z0-9_\\-+/=.]{20,}");

    public FromCommand {
      command = List.copyOf(command);
      if (command.isEmpty()) {
        throw new IllegalArgumentException("empty command");
      }
    }

    @Override
    public void check() throws AgentException {
      String program = command.get(0);
      if (program.contains("/")) {
        if (!Files.isExecutable(Path.of(program))) {
          throw source(
              "The token command " + program + " (setting " + DrsEndpointProvider.TOKEN_COMMAND
                  + ") does not exist or is not executable.");
        }
        return;
      }
      String path = System.getenv("PATH");
      if (path != null) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
          if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
            return;
          }
        }
      }
      throw source(
          "The token command '" + program + "' (setting " + DrsEndpointProvider.TOKEN_COMMAND
              + ") is not on PATH. Give its absolute path.");
    }

    @Override
    public BearerToken read() throws AgentException {
      Process process;
      try {
        process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      } catch (IOException e) {
        throw failed("cannot be started (" + e.getMessage() + ")", e);
      }
      try {
        process.getOutputStream().close(); // no input
        CompletableFuture<byte[]> out = readAsync(process.getInputStream(), BearerToken.MAX_LENGTH + 2);
        CompletableFuture<byte[]> err = readAsync(process.getErrorStream(), MAX_STDERR);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw failed("did not finish within " + timeout.toSeconds() + " s and was stopped", null);
        }
        byte[] stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        byte[] stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (process.exitValue() != 0) {
          throw failed(
              "exited with status " + process.exitValue() + stderrExcerpt(stderr), null);
        }
        if (stdout.length > BearerToken.MAX_LENGTH + 1) {
          throw failed("printed more than an access token can be", null);
        }
        return tokenFromCommand(new String(stdout, StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed("was interrupted", e);
      } catch (ExecutionException | TimeoutException | IOException e) {
        throw failed("could not be read (" + e.getClass().getSimpleName() + ")", e);
      } finally {
        if (process.isAlive()) {
          // only our own child and its children, by handle
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
        }
      }
    }

    private BearerToken tokenFromCommand(String output) throws AgentException {
      try {
        return BearerToken.of(output);
      } catch (IllegalArgumentException e) {
        throw failed("printed no usable access token: " + e.getMessage(), null);
      }
    }

    private static String stderrExcerpt(byte[] stderr) {
      String text = new String(stderr, StandardCharsets.UTF_8).strip().replaceAll("\\p{Cntrl}+", " ");
      // a failing broker may print a token or a client secret: long token-like runs are masked
      text = TOKEN_LIKE.matcher(text).replaceAll("[redacted]");
      if (text.isEmpty()) {
        return "";
      }
      if (text.length() > MAX_QUOTED_STDERR) {
        text = text.substring(0, MAX_QUOTED_STDERR) + "...";
      }
      return "; its error output: " + text;
    }

    private AgentException failed(String what, Exception cause) {
      return new AgentException(
          AgentErrorCode.DRS_TOKEN_COMMAND_FAILED,
          "The token command " + command.get(0) + " (setting " + DrsEndpointProvider.TOKEN_COMMAND
              + ") " + what + ". Run it by hand to see why; it must print the access token alone"
              + " and exit with status 0.",
          cause);
    }

    private static CompletableFuture<byte[]> readAsync(InputStream in, int limit) {
      CompletableFuture<byte[]> result = new CompletableFuture<>();
      Thread reader =
          new Thread(
              () -> {
                try (in) {
                  ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                  byte[] chunk = new byte[4096];
                  int n;
                  while ((n = in.read(chunk)) >= 0) {
                    if (buffer.size() <= limit) {
                      buffer.write(chunk, 0, Math.min(n, limit + 1 - buffer.size()));
                    } // else: keep draining so the child never blocks on a full pipe
                  }
                  result.complete(buffer.toByteArray());
                } catch (IOException e) {
                  result.completeExceptionally(e);
                }
              },
              "keytrust-token-command-reader");
      reader.setDaemon(true);
      reader.start();
      return result;
    }

    @Override
    public String describe() {
      return "token command " + command.get(0);
    }
  }

  private static BearerToken token(String raw, String where) throws AgentException {
    try {
      return BearerToken.of(raw);
    } catch (IllegalArgumentException e) {
      throw source(where + " is not a usable access token: " + e.getMessage() + ".");
    }
  }

  private static AgentException source(String message) {
    return new AgentException(AgentErrorCode.DRS_TOKEN_SOURCE, message);
  }
}
