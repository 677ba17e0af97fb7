package dev.keytrust.agent.cli;

import dev.keytrust.agent.endpoint.ListedKey;
import dev.keytrust.agent.keys.KeyListing;
import dev.keytrust.agent.keys.PruneResult;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders a {@link KeyListing} and a {@link PruneResult}: a report and a table, or JSON. */
final class KeysView {
  private KeysView() {}

  static String text(KeyListing l, String deviceFrom) {
    Report r = new Report().section("Keys of " + l.user())
        .row("User", l.user() + (l.userPrincipalName().equals(l.user()) ? "" : " (UPN " + l.userPrincipalName() + ")"))
        .row("This device", l.thisDevice() == null ? "unknown (give --device FILE): no key but the stored one counts"
            + " as this device's, so prune removes nothing" : l.thisDevice() + " (" + deviceFrom + ")")
        .row("Key store", l.storeKey().map(k -> "key " + k.keyIdHex()).orElse("no key"))
        .row("Key service", source(l.keyService(), "registration(s)", "no --endpoint given"))
        .row("Directory", source(l.directory(), "msDS-KeyCredentialLink value(s)", "no --directory given"));
    StringBuilder out = new StringBuilder(r.render()).append('\n');
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KEY ID (BASE64)", "STORE", "SERVICE", "DIRECTORY", "DEVICE", "CREATED", "WHOSE"});
    for (KeyListing.Entry e : l.entries()) {
      rows.add(new String[] {
          e.keyIdBase64(),
          e.inStore() ? "yes" : "no",
          l.keyService() == null || !l.keyService().listed() ? "?" : e.atKeyService() != null ? "yes" : "no",
          l.directory() == null || !l.directory().listed() ? "?"
              : e.inDirectory().isEmpty() ? "no" : String.join("+", e.inDirectory().stream().map(ListedKey::source)
                  .toList()),
          e.deviceId() == null ? "-" : e.deviceId().toString(),
          e.created() == null ? "-" : e.created().truncatedTo(ChronoUnit.SECONDS).toString(),
          e.label()});
    }
    if (l.entries().isEmpty()) {
      out.append("No key: not in the key store").append(l.keyService() != null ? ", not at the key service" : "")
          .append(l.directory() != null ? ", not in the directory" : "").append(".\n");
    } else {
      out.append(table(rows));
    }
    int orphans = l.orphans().size();
    out.append('\n').append(orphans == 0 ? "No orphan: every registration and directory value of this device has its"
        + " key." : orphans + " orphan(s): registration(s) or directory value(s) of this device whose key is gone."
        + " `keytrust keys prune --user " + l.user() + "` (with the same --endpoint and --directory) removes them.")
        .append('\n');
    return out.toString();
  }

  private static String source(KeyListing.Source s, String what, String none) {
    if (s == null) {
      return none;
    }
    if (!s.listed()) {
      return s.endpoint() + ": not listed: " + s.error().getMessage() + " [" + s.error().code().id() + "]";
    }
    return s.endpoint() + ": " + s.keys().size() + " " + what;
  }

  static String table(List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(width[i] - row[i].length() + 2));
        }
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }

  static Map<String, Object> json(KeyListing l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", l.user());
    m.put("userPrincipalName", l.userPrincipalName());
    m.put("thisDevice", l.thisDevice() == null ? null : l.thisDevice().toString());
    m.put("keyStore", l.storeKey().map(k -> k.keyIdHex()).orElse(null));
    m.put("keyService", json(l.keyService()));
    m.put("directory", json(l.directory()));
    List<Object> keys = new ArrayList<>();
    for (KeyListing.Entry e : l.entries()) {
      Map<String, Object> k = new LinkedHashMap<>();
      k.put("keyId", e.keyIdHex());
      k.put("keyIdBase64", e.keyIdBase64());
      k.put("inStore", e.inStore());
      if (e.atKeyService() == null) {
        k.put("keyService", null);
      } else {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kid", e.atKeyService().serverId());
        s.put("deviceId", str(e.atKeyService().deviceId()));
        s.put("created", str(e.atKeyService().created()));
        k.put("keyService", s);
      }
      List<Object> values = new ArrayList<>();
      for (ListedKey v : e.inDirectory()) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("source", v.source());
        d.put("ownerDn", v.serverId());
        d.put("deviceId", str(v.deviceId()));
        d.put("created", str(v.created()));
        values.add(d);
      }
      k.put("directory", values);
      k.put("deviceId", str(e.deviceId()));
      k.put("created", str(e.created()));
      k.put("whose", e.whose().words());
      k.put("knownToKeyService", e.knownToKeyService());
      k.put("orphaned", e.orphaned());
      k.put("label", e.label());
      keys.add(k);
    }
    m.put("keys", keys);
    m.put("orphans", l.orphans().size());
    return m;
  }

  private static Object json(KeyListing.Source s) {
    if (s == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("endpoint", s.endpoint());
    m.put("listed", s.listed());
    m.put("count", s.keys().size());
    if (s.error() == null) {
      m.put("error", null);
    } else {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("code", s.error().code().id());
      e.put("message", s.error().getMessage());
      m.put("error", e);
    }
    return m;
  }

  static String text(PruneResult r) {
    StringBuilder b = new StringBuilder();
    for (PruneResult.Removal x : r.removals()) {
      b.append(switch (x.outcome()) {
        case REMOVED -> "removed   ";
        case REMAINS -> "REMAINS   ";
        case FAILED -> "FAILED    ";
      }).append("key ").append(x.keyIdBase64()).append(" at the ").append(x.where()).append(' ').append(x.endpoint());
      if (x.outcome() != PruneResult.Outcome.REMOVED) {
        b.append(": ").append(x.message()).append(" [").append(x.errorCode()).append(']');
      }
      b.append('\n');
    }
    b.append(r.removals().isEmpty() ? "Nothing to remove.\n"
        : r.complete() ? "Pruned: " + r.count(PruneResult.Outcome.REMOVED) + " removed.\n"
        : r.count(PruneResult.Outcome.REMOVED) + " removed, " + r.count(PruneResult.Outcome.REMAINS)
            + " remain at an endpoint that does not remove keys (remove them with its own tools), "
            + r.count(PruneResult.Outcome.FAILED) + " failed (run prune again).\n");
    return b.toString();
  }

  static Map<String, Object> json(PruneResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", r.user());
    List<Object> list = new ArrayList<>();
    for (PruneResult.Removal x : r.removals()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("keyIdBase64", x.keyIdBase64());
      o.put("where", x.where());
      o.put("endpoint", x.endpoint());
      o.put("outcome", x.outcome().name());
      o.put("errorCode", x.errorCode());
      o.put("message", x.message());
      list.add(o);
    }
    m.put("removals", list);
    m.put("complete", r.complete());
    return m;
  }

  private static String str(Object o) {
    return o == null ? null : o instanceof Instant i ? i.toString() : o.toString();
  }
}
