package dev.keytrust.agent.kinit;

import dev.keytrust.error.KeytrustException;

/** Sends one Kerberos message to the KDC and returns its answer. */
@FunctionalInterface
public interface KdcTransport {

  /**
   * One exchange: {@code request} (a DER AS-REQ) out, the KDC's DER answer back.
   *
   * @throws KeytrustException KINIT_KDC_UNREACHABLE when no KDC answers, KINIT_KDC_REPLY_INVALID
   *     when the answer is not framed as Kerberos over TCP
   */
  byte[] exchange(byte[] request) throws KeytrustException;
}
