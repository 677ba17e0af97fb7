/**
 * A user's keys side by side, and the removal of orphans: {@link dev.keytrust.agent.keys.KeyInventory}
 * lists the key store's key, the key service's registrations and the directory's
 * msDS-KeyCredentialLink values of one user by KeyID ({@link dev.keytrust.agent.keys.KeyListing}),
 * says whose device each belongs to, and prunes the registrations and directory values of this device
 * that no longer have a key ({@link dev.keytrust.agent.keys.PruneResult}). {@code keytrust keys list}
 * and {@code keytrust keys prune} render it.
 */
package dev.keytrust.agent.keys;
