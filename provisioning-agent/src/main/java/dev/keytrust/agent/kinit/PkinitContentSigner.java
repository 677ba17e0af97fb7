package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;

/**
 * Bouncy Castle's view of the user's key: collects the bytes to sign and has the {@link
 * PkinitSigner} (the TPM) sign them. A signer error comes out of {@link #getSignature} as a {@link
 * SignerFailure}. One instance per signature.
 */
final class PkinitContentSigner implements ContentSigner {
  private final PkinitSigner signer;
  private final AlgorithmIdentifier algorithm;
  private final ByteArrayOutputStream data = new ByteArrayOutputStream();

  PkinitContentSigner(PkinitSigner signer) {
    this.signer = signer;
    this.algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find(signer.signatureAlgorithm());
  }

  @Override
  public AlgorithmIdentifier getAlgorithmIdentifier() {
    return algorithm;
  }

  @Override
  public OutputStream getOutputStream() {
    return data;
  }

  @Override
  public byte[] getSignature() {
    try {
      return signer.sign(data.toByteArray());
    } catch (KeytrustException e) {
      throw new SignerFailure(e);
    }
  }
}
