/**
 * The lab's key registration service, the DRS-style protocol ([MS-KPP]):
 * {@link dev.keytrust.lab.keyservice.KeyService} (register, keytrust's removal, the protocol's
 * checks) over {@link dev.keytrust.lab.keyservice.KeyRegistry} (the registrations and their
 * listeners), with the service's access tokens ({@link dev.keytrust.lab.keyservice.LabTokens},
 * {@link dev.keytrust.lab.keyservice.BearerAuthentication}) and its refusals as KPP ErrorDetails
 * ({@link dev.keytrust.lab.keyservice.Refusal}, {@link
 * dev.keytrust.lab.keyservice.ErrorDetails}), which the push MFA service shares.
 *
 * <p>What it does not do: it keeps registrations in memory only, trusts no token but its own
 * (no Entra ID, no AD FS), and writes nothing to a directory (the sync job does).
 */
package dev.keytrust.lab.keyservice;
