/**
 * The lab's HTTP plumbing: {@link dev.keytrust.lab.http.LoopbackHttpServer} (the one way the
 * lab's services and the benchmarks' key service serve HTTP or HTTPS on 127.0.0.1), {@link
 * dev.keytrust.lab.http.HttpAnswer} (an answer before it is sent) and {@link
 * dev.keytrust.lab.http.LabJson} (the services' JSON).
 *
 * <p>What it does not do: no routing beyond path prefixes, no keep-alive tuning or socket options
 * of its own (the JDK server's defaults hold), and nothing that listens beyond the loopback.
 */
package dev.keytrust.lab.http;
