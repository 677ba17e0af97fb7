package dev.keytrust.agent.keys;

import static dev.keytrust.agent.flow.FlowTestKit.PIN;
import static dev.keytrust.agent.flow.FlowTestKit.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keytrust.agent.endpoint.KeyRegistration;
import dev.keytrust.agent.error.AgentErrorCode;
import dev.keytrust.agent.flow.FlowStatus;
import dev.keytrust.agent.flow.FlowTestKit;
import dev.keytrust.agent.flow.FlowTestKit.ScriptedPins;
import dev.keytrust.agent.flow.ProvisioningResult;
import dev.keytrust.agent.flow.RecordingEndpoint;
import dev.keytrust.credential.BcryptKeyBlob;
import dev.keytrust.credential.KeyCredential;
import dev.keytrust.credential.KeyCredentialOptions;
import dev.keytrust.key.KeyContainerStore;
import dev.keytrust.tpm.TpmUri;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16 item 17, the library: the keys of a user side by side, and prune, over recording endpoints. */
class KeyInventoryTest {
  static final UUID THIS_DEVICE = UUID.fromString(FlowTestKit.DEVICE_ID);
  static final UUID OTHER_DEVICE = UUID.fromString("0b1c2d3e-4f50-4162-8374-95a6b7c8d9e0");

  @TempDir Path tmp;
  Path root;
  KeyContainerStore store;
  RecordingEndpoint service;

  @BeforeEach
  void setUp() {
    root = tmp.resolve("keys");
    store = new KeyContainerStore(root);
    service = new RecordingEndpoint(tmp.resolve("service"));
  }

  ProvisioningResult provision() throws Exception {
    return FlowTestKit.flow(root, tmp, TpmUri.parse("software"), ScriptedPins.always(PIN), service,
        new AtomicInteger()).build().run(USER);
  }

  static KeyRegistration otherDevicesKey() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    PublicKey key = g.generateKeyPair().getPublic();
    Instant created = Instant.parse("2026-11-20T08:00:00Z");
    return new KeyRegistration(USER, null, BcryptKeyBlob.of(key).encoded(), BcryptKeyBlob.keyId(key),
        KeyCredential.build(key, KeyCredentialOptions.userKey(OTHER_DEVICE, created)).toByteArray(), OTHER_DEVICE,
        created);
  }

  KeyInventory inventory() {
    return KeyInventory.builder().store(store).keyService(service).thisDevice(THIS_DEVICE).build();
  }

  @Test
  void listsTheStoredKeyAndTheRegistrationsByDeviceAndPrunesOnlyThisDevicesOrphans() throws Exception {
    ProvisioningResult provisioned = provision();
    KeyRegistration other = otherDevicesKey();
    service.register(other);

    KeyListing before = inventory().list(USER, USER, null);
    assertThat(before.entries()).hasSize(2);
    KeyListing.Entry mine = before.entries().get(0);
    assertThat(mine.keyIdHex()).isEqualTo(provisioned.keyIdHex());
    assertThat(mine.inStore()).isTrue();
    assertThat(mine.atKeyService()).isNotNull();
    assertThat(mine.whose()).isEqualTo(KeyListing.Whose.THIS_DEVICE);
    assertThat(mine.deviceId()).isEqualTo(THIS_DEVICE);
    assertThat(mine.orphaned()).isFalse();
    KeyListing.Entry theirs = before.entries().get(1);
    assertThat(theirs.keyIdHex()).isEqualTo(other.keyIdHex());
    assertThat(theirs.whose()).isEqualTo(KeyListing.Whose.OTHER_DEVICE);
    assertThat(theirs.label()).isEqualTo("other device");
    assertThat(before.orphans()).isEmpty();
    assertThat(inventory().prune(before).removals()).isEmpty();

    // the key is deleted outside keytrust: its registration is an orphan of this device
    store.delete(USER);
    KeyListing after = inventory().list(USER, USER, null);
    assertThat(after.orphans()).singleElement().satisfies(e -> {
      assertThat(e.keyIdHex()).isEqualTo(provisioned.keyIdHex());
      assertThat(e.label()).isEqualTo("this device, no key here (orphaned)");
    });
    PruneResult pruned = inventory().prune(after);
    assertThat(pruned.complete()).isTrue();
    assertThat(pruned.removals()).singleElement().satisfies(r -> {
      assertThat(r.where()).isEqualTo("key service");
      assertThat(r.outcome()).isEqualTo(PruneResult.Outcome.REMOVED);
    });
    assertThat(service.registered()).singleElement()
        .satisfies(v -> assertThat(v.keyIdHex()).isEqualTo(other.keyIdHex()));
    assertThat(inventory().list(USER, USER, null).orphans()).isEmpty();
  }

  @Test
  void withoutADeviceIdTheReceiptNamesThisDevice() throws Exception {
    provision();
    store.delete(USER);
    KeyListing listing = KeyInventory.builder().store(store).keyService(service).build().list(USER, USER, null);
    assertThat(listing.thisDevice()).isEqualTo(THIS_DEVICE);
    assertThat(listing.orphans()).hasSize(1);
  }

  @Test
  void anEndpointThatCannotListIsReportedAndNothingIsPruned() throws Exception {
    provision();
    store.delete(USER);
    service.breakCalls(RecordingEndpoint.FAIL_LIST);
    KeyListing listing = inventory().list(USER, USER, null);
    assertThat(listing.keyService().listed()).isFalse();
    assertThat(listing.keyService().error().code()).isEqualTo(AgentErrorCode.DRS_UNREACHABLE);
    assertThat(listing.orphans()).isEmpty();
  }

  @Test
  void anEndpointThatCannotRemoveKeysLeavesThemReportedAsRemaining() throws Exception {
    provision();
    store.delete(USER);
    service.breakCalls(RecordingEndpoint.NO_REMOVAL);
    PruneResult r = inventory().prune(inventory().list(USER, USER, null));
    assertThat(r.complete()).isFalse();
    assertThat(r.removals()).singleElement().satisfies(x -> {
      assertThat(x.outcome()).isEqualTo(PruneResult.Outcome.REMAINS);
      assertThat(x.errorCode()).isEqualTo("KT-1615");
    });
  }

  @Test
  void aPrunedRegistrationLeavesTheRecordOfRegistrationsAResetCouldNotRemove() throws Exception {
    provision();
    service.breakCalls(RecordingEndpoint.NO_REMOVAL);
    try {
      FlowTestKit.flow(root, tmp, TpmUri.parse("software"), new ScriptedPins(true), service, new AtomicInteger())
          .build().reset(USER);
    } catch (dev.keytrust.error.KeytrustException expected) {
      assertThat(expected.code()).isEqualTo(AgentErrorCode.FLOW_REGISTRATION_REMAINS);
    }
    assertThat(FlowStatus.read(store, USER).remaining()).hasSize(1);
    service.heal();
    PruneResult r = inventory().prune(inventory().list(USER, USER, null));
    assertThat(r.complete()).isTrue();
    assertThat(service.registered()).isEmpty();
    assertThat(FlowStatus.read(store, USER).remaining()).isEmpty();
  }
}
