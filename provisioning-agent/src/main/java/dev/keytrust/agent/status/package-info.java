/**
 * The provisioning status of this machine as an API: {@link dev.keytrust.agent.status.StatusProbe}
 * reads the device context, the TPM (and the key provider provisioning would use), the user's key
 * and flow records, the prerequisite check and the effective policy into an immutable {@link
 * dev.keytrust.agent.status.StatusReport}, for a {@link dev.keytrust.agent.status.StatusRequest}.
 * {@code keytrust status} is one caller: it turns its options into the request and lays the report
 * out as text or JSON.
 *
 * <p>What it does not do: it changes nothing (no key, no record, no TPM object is created; the TPM
 * is opened only to read its facts and to check, without the PIN, that it still loads the user's
 * key), it renders nothing, and it does not pick the TPM the way the
 * CLI does ({@code --tpm}, then {@code KEYTRUST_TPM}): the caller names the TPM or supplies a
 * {@link dev.keytrust.agent.status.TpmChoice.Chooser}; without either it probes {@code auto}.
 */
package dev.keytrust.agent.status;
