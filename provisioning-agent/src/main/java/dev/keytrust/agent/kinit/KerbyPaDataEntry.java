package dev.keytrust.agent.kinit;

import org.apache.kerby.kerberos.kerb.type.pa.PaDataEntry;

/**
 * Apache Kerby's PA-DATA entry with a raw type number: Kerby's {@code PaDataType} has no
 * PA-AS-FRESHNESS (150), and would write any unknown type as 0.
 */
final class KerbyPaDataEntry extends PaDataEntry {

  KerbyPaDataEntry(PaEntry entry) {
    setFieldAsInt(PaDataEntryField.PADATA_TYPE, entry.type());
    setPaDataValue(entry.value());
  }
}
