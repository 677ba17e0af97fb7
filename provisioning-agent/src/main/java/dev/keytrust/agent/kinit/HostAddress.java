package dev.keytrust.agent.kinit;

/**
 * A ticket's client address (RFC 4120 HostAddress); TGTs from Active Directory normally have none.
 *
 * @param type the addr-type (2 IPv4, 24 IPv6)
 * @param address the address bytes
 */
public record HostAddress(int type, byte[] address) {

  public HostAddress {
    address = address.clone();
  }

  @Override
  public byte[] address() {
    return address.clone();
  }
}
