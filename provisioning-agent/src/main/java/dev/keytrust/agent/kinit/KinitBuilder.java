package dev.keytrust.agent.kinit;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The staged builder of {@link KeyTrustKinit}: the signer, the account, the KDC and the KDC trust
 * come first and in that order (each stage offers only the next), then the optional settings.
 */
public final class KinitBuilder {
  /** Default for {@link Options#maxClockSkew}: Kerberos's usual five minutes. */
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);

  /** Stage 1: the user's key. */
  public interface SignerStage {
    AccountStage signer(PkinitSigner signer);
  }

  /** Stage 2: who signs in. */
  public interface AccountStage {
    KdcStage account(KinitAccount account);
  }

  /** Stage 3: the KDC, by address (Kerberos over TCP), or a transport of one's own. */
  public interface KdcStage {
    TrustStage kdc(KdcAddress kdc);

    /** A transport of one's own (tests, proxies); {@code kdc} names it in messages and name checks. */
    TrustStage kdc(KdcAddress kdc, KdcTransport transport);
  }

  /** Stage 4: which KDC certificates are trusted. */
  public interface TrustStage {
    Options trust(KdcTrust trust);
  }

  /** The optional settings, then {@link #build()}. */
  public interface Options {
    /** The clock for certificate validity, PKAuthenticator time, ticket times and skew (default UTC system clock). */
    Options clock(Clock clock);

    Options random(SecureRandom random);

    /** The largest difference between this clock and the KDC's before the sign-in stops (default 5 minutes). */
    Options maxClockSkew(Duration skew);

    /** TCP connect and read timeouts (defaults 5 s and 15 s); not used with a transport of one's own. */
    Options timeouts(Duration connect, Duration read);

    KeyTrustKinit build();
  }

  private KinitBuilder() {}

  static SignerStage start() {
    return new Steps();
  }

  /** The one object behind all stages. */
  private static final class Steps implements SignerStage, AccountStage, KdcStage, TrustStage, Options {
    private PkinitSigner signer;
    private KinitAccount account;
    private KdcAddress kdc;
    private KdcTransport transport;
    private KdcTrust trust;
    private Clock clock = Clock.systemUTC();
    private SecureRandom random;
    private Duration maxClockSkew = DEFAULT_MAX_CLOCK_SKEW;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;

    @Override
    public AccountStage signer(PkinitSigner signer) {
      this.signer = Objects.requireNonNull(signer, "signer");
      return this;
    }

    @Override
    public KdcStage account(KinitAccount account) {
      this.account = Objects.requireNonNull(account, "account");
      return this;
    }

    @Override
    public TrustStage kdc(KdcAddress kdc) {
      this.kdc = Objects.requireNonNull(kdc, "kdc");
      return this;
    }

    @Override
    public TrustStage kdc(KdcAddress kdc, KdcTransport transport) {
      this.kdc = Objects.requireNonNull(kdc, "kdc");
      this.transport = Objects.requireNonNull(transport, "transport");
      return this;
    }

    @Override
    public Options trust(KdcTrust trust) {
      this.trust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    @Override
    public Options clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    @Override
    public Options random(SecureRandom random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    @Override
    public Options maxClockSkew(Duration skew) {
      if (skew.isNegative() || skew.isZero()) {
        throw new IllegalArgumentException("the clock skew allowed must be positive");
      }
      this.maxClockSkew = skew;
      return this;
    }

    @Override
    public Options timeouts(Duration connect, Duration read) {
      if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive");
      }
      this.connectTimeout = connect;
      this.readTimeout = read;
      return this;
    }

    @Override
    public KeyTrustKinit build() {
      KdcTransport t = transport != null ? transport : new TcpKdcTransport(kdc, connectTimeout, readTimeout);
      return new KeyTrustKinit(signer, account, kdc, t, trust, clock,
          random != null ? random : new SecureRandom(), maxClockSkew);
    }
  }
}
