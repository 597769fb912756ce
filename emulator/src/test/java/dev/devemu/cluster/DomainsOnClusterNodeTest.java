package dev.devemu.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-JVM: {@code ./devemu run usb-remote.conf --seed 1 --domain-node usb1=HOST:PORT} runs the guest in this JVM
 * and the USB device's domain on a cluster node (another JVM, started as {@code ./devemu node}), every round and
 * crossing over Artery: the summary's trace-sha256 is the one of {@code --lanes 1} in one JVM; so does
 * pcie-domains.conf seed 7 with its domains spread over two nodes (three JVMs).
 */
class DomainsOnClusterNodeTest {
  private static String hash(SingleNodeCampaign.Cli cli) {
    String last = cli.out().lines().filter(l -> l.startsWith("summary:")).reduce((a, b) -> b).orElse("");
    int at = last.indexOf("trace-sha256=");
    return at < 0 ? null : last.substring(at + "trace-sha256=".length()).trim();
  }

  private static SingleNodeCampaign.Cli devemu(String... args) {
    return SingleNodeCampaign.devemu(args);
  }

  @Test
  void aUsbDeviceOnAClusterNodeGivesTheTraceOfOneJvm(@TempDir Path tmp) throws Exception {
    String scenario = Path.of("..", "scenarios", "usb-remote.conf").toString();
    SingleNodeCampaign.Cli one = devemu("run", scenario, "--seed", "1", "--lanes", "1");
    assertEquals(0, one.code(), one.out() + one.err());
    assertNotNull(hash(one));
    String pcie = Path.of("..", "scenarios", "pcie-domains.conf").toString();
    SingleNodeCampaign.Cli pcieOne = devemu("run", pcie, "--seed", "7", "--lanes", "1");
    assertEquals(0, pcieOne.code(), pcieOne.out() + pcieOne.err());
    try (LocalCluster cluster = new LocalCluster("domains-on-node", tmp, 2, "")) {
      cluster.startAll(1, 2);
      SingleNodeCampaign.Cli nodes = devemu("run", scenario, "--seed", "1", "--domain-node", "usb1=127.0.0.1:" + cluster.port(1));
      assertEquals(0, nodes.code(), nodes.out() + nodes.err());
      assertEquals(hash(one), hash(nodes), "one JVM vs the device on a cluster node");
      assertTrue(nodes.out().contains("link-messages=690"), nodes.out());

      // three JVMs: the guest here, two cards and the camera over two cluster nodes
      SingleNodeCampaign.Cli spread = devemu("run", pcie, "--seed", "7", "--domain-node",
          "card0,cam0=127.0.0.1:" + cluster.port(1), "--domain-node", "card1=127.0.0.1:" + cluster.port(2));
      assertEquals(pcieOne.code(), spread.code(), spread.out() + spread.err());
      assertEquals(hash(pcieOne), hash(spread), "one JVM vs the domains over two cluster nodes");

      SingleNodeCampaign.Cli unknown = devemu("run", scenario, "--seed", "1", "--domain-node", "card9=127.0.0.1:" + cluster.port(1));
      assertEquals(2, unknown.code(), unknown.out() + unknown.err());
      assertTrue(unknown.err().contains("no domain 'card9'"), unknown.err());
    }
  }

  /**
   * Issue 13 item 5 across JVMs: the node hosting the USB device is SIGKILLed while the run goes on, with URBs in
   * flight. The guest's node loses the device's domain at the round the node did not answer: the driver sees a
   * surprise removal, the run finishes with its report, and {@code ./devemu replay} of its trace on one JVM
   * reproduces it (exit 0, same trace-sha256).
   */
  @Test
  void aKilledDeviceNodeIsASurpriseRemovalThatReplaysOnOneJvm(@TempDir Path tmp) throws Exception {
    // usb-remote without its scripted unplug, long enough to kill the node in the middle
    String source = java.nio.file.Files.readString(Path.of("..", "scenarios", "usb-remote.conf"))
        .replace("duration = 300ms", "duration = 20s")
        .replaceAll("(?s)faults \\{.*?\\n\\}\\n", "");
    assertTrue(source.contains("duration = 20s") && !source.contains("action = surprise-unplug"), source);
    Path scenario = tmp.resolve("usb-remote-long.conf");
    java.nio.file.Files.writeString(scenario, source);
    Path trace = tmp.resolve("lost.pb");
    try (LocalCluster cluster = new LocalCluster("domains-node-killed", tmp, 1, "")) {
      cluster.start(1);
      java.util.concurrent.CompletableFuture<SingleNodeCampaign.Cli> run = SingleNodeCampaign.devemuInBackground(
          "run", scenario.toString(), "--seed", "2", "--domain-node", "usb1=127.0.0.1:" + cluster.port(1),
          "--node-timeout", "3", "--trace", trace.toString());
      Thread.sleep(2500);
      assertTrue(!run.isDone(), "the run was still going when the node was killed: " + (run.isDone() ? run.get() : ""));
      cluster.kill(1);
      SingleNodeCampaign.Cli lost = run.get(240, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(lost.code() == 0 || lost.code() == 3, "finished with or without a report: " + lost.out() + lost.err());
      assertTrue(lost.out().contains("devemu: time domain usb1 lost: surprise removal of 1-1 (its node went silent)"),
          lost.out() + lost.err());
      assertNotNull(hash(lost));
      System.out.println("node killed mid-run: exit " + lost.code() + "\n" + lost.out().lines()
          .filter(l -> l.startsWith("summary:") || l.contains("time domain") || l.startsWith("BUG") || l.contains("KASAN"))
          .collect(java.util.stream.Collectors.joining("\n")));

      SingleNodeCampaign.Cli again = devemu("replay", trace.toString(), "--lanes", "1");
      assertEquals(0, again.code(), again.out() + again.err());
      assertTrue(again.out().contains(hash(lost)), "the replay on one JVM gives the same trace: " + again.out());
    }
  }
}
