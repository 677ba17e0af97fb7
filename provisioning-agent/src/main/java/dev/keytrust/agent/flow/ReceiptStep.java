package dev.keytrust.agent.flow;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.endpoint.RegistrationReceipt;
import dev.keytrust.error.KeytrustException;
import dev.keytrust.store.OwnerOnlyFiles;
import java.util.Objects;

/** Records the registration receipt, which {@code status} shows and {@code reset} unregisters. */
final class ReceiptStep implements FlowStep<ReceiptStep.Input, ReceiptStep.Output> {

  /**
   * @param user the user
   * @param registration what was registered
   * @param receipt what the endpoint answered
   */
  record Input(String user, KeyRegistration registration, RegistrationReceipt receipt) {
    Input {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(registration, "registration");
      Objects.requireNonNull(receipt, "receipt");
    }
  }

  /** @param registered the key and where it is registered, as recorded */
  record Output(RegisteredKey registered) {
    String summary() {
      return "key " + registered.registration().keyIdBase64() + " at " + registered.receipt().endpoint();
    }
  }

  private final FlowRecords records;
  private final OwnerOnlyFiles.Durability durability;

  ReceiptStep(FlowRecords records) {
    this(records, OwnerOnlyFiles.Durability.DURABLE);
  }

  /** @param durability whether the receipt is forced to disk (see {@link OwnerOnlyFiles.Durability}) */
  ReceiptStep(FlowRecords records, OwnerOnlyFiles.Durability durability) {
    this.records = Objects.requireNonNull(records, "records");
    this.durability = Objects.requireNonNull(durability, "durability");
  }

  @Override
  public Output run(Input in) throws KeytrustException {
    RegisteredKey k = new RegisteredKey(in.registration(), in.receipt());
    records.writeReceipt(in.user(), k, durability);
    return new Output(k);
  }
}
