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
 * crossing over Artery: the summary's trace-sha256 is the one of {@code --lanes 1} in one JVM.
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
    try (LocalCluster cluster = new LocalCluster("domains-on-node", tmp, 1, "")) {
      cluster.start(1);
      SingleNodeCampaign.Cli nodes = devemu("run", scenario, "--seed", "1", "--domain-node", "usb1=127.0.0.1:" + cluster.port(1));
      assertEquals(0, nodes.code(), nodes.out() + nodes.err());
      assertEquals(hash(one), hash(nodes), "one JVM vs the device on a cluster node");
      assertTrue(nodes.out().contains("link-messages=690"), nodes.out());

      SingleNodeCampaign.Cli unknown = devemu("run", scenario, "--seed", "1", "--domain-node", "card9=127.0.0.1:" + cluster.port(1));
      assertEquals(2, unknown.code(), unknown.out() + unknown.err());
      assertTrue(unknown.err().contains("no domain 'card9'"), unknown.err());
    }
  }
}
