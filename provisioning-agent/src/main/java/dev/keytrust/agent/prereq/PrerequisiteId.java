package dev.keytrust.agent.prereq;

/**
 * The prerequisite lines, in report order. The first eight are the check lines of Windows events
 * 358/360 with their exact wording (scripts parse them by prefix); the last two are keytrust's.
 */
public enum PrerequisiteId {
  DEVICE_JOINED("Device is AAD joined ( AADJ or DJ++ )", "IsDeviceJoined", "deviceJoined"),
  CLOUD_CREDENTIALS("User has logged on with AAD credentials", "IsUserAzureAD", "userLoggedOnWithCloudCredentials"),
  POLICY_ENABLED("Windows Hello for Business policy is enabled", "PolicyEnabled", "policyEnabled"),
  POST_LOGON_ENABLED("Windows Hello for Business post-logon provisioning is enabled", "PostLogonEnabled",
      "postLogonProvisioningEnabled"),
  HARDWARE("Local computer meets Windows hello for business hardware requirements", "DeviceEligible",
      "hardwareRequirementsMet"),
  NOT_REMOTE("User is not connected to the machine via Remote Desktop", "SessionIsNotRemote", "sessionIsNotRemote"),
  CERTIFICATE_TRUST("User certificate for on premise auth policy is enabled", "X509CertRequired",
      "certificateForOnPremAuthEnabled"),
  CLOUD_TRUST("Cloud trust for on premise auth policy is enabled", "CloudTrustEnabled",
      "cloudTrustForOnPremAuthEnabled"),
  /** keytrust: security-group targeting (ProvisioningGroups). */
  GROUP_TARGETING("User is a member of a provisioning group", "IsUserInProvisioningGroup",
      "userInProvisioningGroup"),
  /** keytrust: the on-premises UPN can be used with key trust (verified suffix, synchronized UPN). */
  UPN("User's on-premises UPN is supported for key trust", "OnPremUpnSupported", "onPremUpnSupported");

  private final String eventLine;
  private final String dsregField;
  private final String jsonName;

  PrerequisiteId(String eventLine, String dsregField, String jsonName) {
    this.eventLine = eventLine;
    this.dsregField = dsregField;
    this.jsonName = jsonName;
  }

  /** The line's text before {@code ": Yes"}, e.g. {@code Device is AAD joined ( AADJ or DJ++ )}. */
  public String eventLine() {
    return eventLine;
  }

  /** The field name in the dsregcmd-style Ngc Prerequisite Check section. */
  public String dsregField() {
    return dsregField;
  }

  /** The stable camel-case name in the Map/JSON form. */
  public String jsonName() {
    return jsonName;
  }
}
