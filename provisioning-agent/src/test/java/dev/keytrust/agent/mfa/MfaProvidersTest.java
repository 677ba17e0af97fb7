package dev.keytrust.agent.mfa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keytrust.agent.AgentException;
import dev.keytrust.agent.error.AgentErrorCode;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MfaProvidersTest {
  private static final MfaContext CONTEXT = new MfaContext(Clock.systemUTC(), Optional.empty(), Optional.empty());

  @Test
  void theServiceLoaderFindsTheBuiltInMethods() {
    assertThat(MfaProviders.fromClassPath().names()).containsExactly("push", "totp");
  }

  @Test
  void anUnknownMethodNamesTheKnownOnes() {
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("sms", MfaSettings.none(), CONTEXT))
        .isInstanceOfSatisfying(AgentException.class, e -> {
          assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_UNKNOWN_PROVIDER);
          assertThat(e.code().badInput()).isTrue();
        })
        .hasMessageContaining("No MFA method 'sms'")
        .hasMessageContaining("[push, totp]");
  }

  @Test
  void anUnknownSettingIsRefusedBeforeTheFactoryRuns() {
    assertThatThrownBy(() -> MfaProviders.fromClassPath().create("totp",
        new MfaSettings(Map.of("secret-file", "/nonexistent", "secretfile", "/typo")), CONTEXT))
        .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentErrorCode.MFA_CONFIG_INVALID))
        .hasMessageContaining("Unknown setting(s) [secretfile]");
  }

  @Test
  void embeddersRegisterProvidersAndFactoriesByName() throws Exception {
    ScriptedProvider mine = new ScriptedProvider(MfaOutcome.succeeded());
    MfaProviders registry = MfaProviders.fromClassPath().with(mine);
    assertThat(registry.names()).containsExactly("push", "scripted", "totp");
    assertThat(registry.create("Scripted", MfaSettings.none(), CONTEXT)).isSameAs(mine);
    assertThatThrownBy(() -> registry.create("scripted", new MfaSettings(Map.of("x", "y")), CONTEXT))
        .hasMessageContaining("Unknown setting(s) [x]");

    MfaProviderFactory replacement = new MfaProviderFactory() {
      @Override
      public String name() {
        return "totp";
      }

      @Override
      public Set<String> settingNames() {
        return Set.of();
      }

      @Override
      public MfaProvider create(MfaSettings settings, MfaContext context) {
        return mine;
      }
    };
    assertThat(registry.with(replacement).create("totp", MfaSettings.none(), CONTEXT)).isSameAs(mine);
    assertThat(MfaProviders.of(replacement).names()).containsExactly("totp");
    assertThat(registry.names()).as("registries are immutable").contains("totp").hasSize(3);
  }

  @Test
  void badNamesAreRefused() {
    MfaProvider bad = new MfaProvider() {
      @Override
      public String name() {
        return "Bad Name";
      }

      @Override
      public MfaChallenge start(String user) {
        throw new UnsupportedOperationException();
      }
    };
    assertThatThrownBy(() -> MfaProviders.fromClassPath().with(bad)).isInstanceOf(IllegalArgumentException.class);
  }
}
