package dev.keytrust.sim;

import dev.keytrust.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * What an embedding agent knows besides the lab's endpoints, as files: the PassportForWork policy
 * folder and a lab user's device context (a hybrid-joined device registered in the lab tenant, the
 * user's token claims, a usable TPM 2.0).
 */
final class LabAgentFiles {
  static final UUID TENANT = UUID.nameUUIDFromBytes("embedding tenant".getBytes(StandardCharsets.UTF_8));

  private LabAgentFiles() {}

  /** {@code DIR/computer/gpo.properties} with RequireSecurityDevice; returns {@code dir}. */
  static Path policy(Path dir, boolean requireSecurityDevice) throws IOException {
    Path computer = Files.createDirectories(dir.resolve("computer"));
    Files.writeString(computer.resolve("gpo.properties"), "RequireSecurityDevice = " + (requireSecurityDevice ? 1 : 0) + "\n");
    return dir;
  }

  /** The device context file of {@code user} on its lab device. */
  static Path device(Path file, Lab.User user) throws IOException {
    Files.createDirectories(file.getParent());
    String upn = user.upn();
    return Files.writeString(file, "join = hybrid\n"
        + "device.id = " + user.deviceId() + "\ntenant.id = " + TENANT + "\ntenant.verifiedDomains = keytrust.lab\n"
        + "user.onPremUpn = " + upn + "\nuser.cloudUpn = " + upn + "\nuser.onPremisesUserPrincipalName = " + upn
        + "\nuser.groups = Domain Users\ntoken.amr = pwd\ntoken.deviceid = " + user.deviceId() + "\ntoken.tid = "
        + TENANT + "\nsession.remote = no\ntpm = 2.0\ntpm.usable = yes\ntpm.lockedOut = no\n");
  }
}
