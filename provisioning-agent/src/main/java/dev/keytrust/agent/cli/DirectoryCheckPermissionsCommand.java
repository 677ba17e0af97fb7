package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.EndpointSettings;
import dev.keytrust.agent.endpoint.ldap.KeySyncPermissions;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keytrust directory check-permissions}: is the key-sync grant of hybrid key trust in place
 * (the group's inheritable Read/Write msDS-KeyCredentialLink on User objects at the domain root),
 * and is the account a member of the group. Exit 0 when every line is Yes, 1 otherwise.
 */
@Command(
    name = "check-permissions",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Check the key synchronization permissions in Active Directory: the schema attribute",
      "msDS-KeyCredentialLink, the group (default \"KeyCredential Admins\"), its inheritable grant",
      "Read/Write msDS-KeyCredentialLink on descendant User objects at the domain root, and the",
      "account's membership (nested groups count). Reads only; exit 1 when a line is not Yes."
    },
    footerHeading = "%nExample:%n",
    footer = "  keytrust directory check-permissions --directory ldaps://dc1.example.com/DC=example,DC=com"
        + " \\%n      --credentials /etc/keytrust/sync.cred --ca-file /etc/keytrust/ad-ca.pem")
final class DirectoryCheckPermissionsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin DirectoryOptions.Location directory;

  @Option(names = "--credentials", required = true, paramLabel = "FILE",
      description = "The bind account's file (bind-dn=..., password=...; chmod 600).")
  String credentials;

  @Option(names = "--ca-file", paramLabel = "FILE",
      description = "PEM file of the CA that issued the directory's certificate.")
  String caFile;

  @Option(names = "--group", paramLabel = "NAME", defaultValue = KeySyncPermissions.DEFAULT_GROUP,
      description = "The group that should hold the grant (sAMAccountName or cn). Default: ${DEFAULT-VALUE}.")
  String group;

  @Option(names = "--account", paramLabel = "DN|NAME",
      description = "The sync account to check. Default: the bind account of --credentials.")
  String account;

  @Mixin JsonOption json;

  @Override
  public Integer call() throws Exception {
    URI uri = directory.parse();
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("credentials-file", credentials);
    if (caFile != null) {
      settings.put("ca-file", caFile);
    }
    KeySyncPermissions.Report report =
        KeySyncPermissions.check(uri, new EndpointSettings(settings), group, account);
    json.print(spec.commandLine().getOut(), () -> json(report), () -> text(report));
    return report.granted() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  static String text(KeySyncPermissions.Report r) {
    Report report = new Report().section("Key Synchronization Permissions")
        .row("Directory", r.directory())
        .row("Domain root", r.domainRoot())
        .row("Group", r.group())
        .row("Account", r.account())
        .section("Checks");
    int i = 0;
    for (KeySyncPermissions.Line line : r.lines()) {
      report.row("Check " + (++i), line.check());
      report.row("Result " + i, line.answer().text() + " - " + line.detail());
    }
    report.section("Result").row("Granted", Report.yesNo(r.granted()));
    return report.render();
  }

  static Map<String, Object> json(KeySyncPermissions.Report r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("directory", r.directory());
    m.put("domainRoot", r.domainRoot());
    m.put("group", r.group());
    m.put("account", r.account());
    m.put("granted", r.granted());
    m.put("lines", r.lines().stream().map(l -> {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("check", l.check());
      line.put("answer", l.answer().text());
      line.put("detail", l.detail());
      return line;
    }).toList());
    return m;
  }
}
