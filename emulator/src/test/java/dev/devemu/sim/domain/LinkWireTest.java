package dev.devemu.sim.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.protocol.v1.LinkFrame;
import dev.devemu.protocol.v1.LinkPayload;
import dev.devemu.sim.LinkHook;
import dev.devemu.wire.WireSamples;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Crossings as LinkFrames: every hardware message that crosses comes back equal, delivered to the actor at the same
 * path below the root, with the refs inside it resolved by path; system messages have frames of their own; a frame
 * that does not decode, names an unknown manifest or no actor is dropped (counted), never thrown.
 */
class LinkWireTest {
  private static ActorTestKit kit;
  private static TestProbe<Object> probe;
  private static ActorRef<Object> root;
  private static ActorRef<Object> child;
  private static LinkWire wire;

  /** A root with one child; both forward what they get to the probe. */
  private static Behavior<Object> forward(ActorRef<Object> to, boolean spawnChild) {
    return Behaviors.setup(ctx -> {
      if (spawnChild) ctx.spawn(forward(to, false), "pci-0000_00_02.0");
      return Behaviors.receiveMessage(m -> {
        to.tell(m);
        return Behaviors.same();
      });
    });
  }

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("link-wire-test");
    probe = kit.createTestProbe();
    root = kit.spawn(forward(probe.ref(), true), "tb-1");
    wire = new LinkWire(kit.system(), root.path().toStringWithoutAddress());
    child = null;
    for (int i = 0; i < 50 && child == null; i++) {
      var c = Adapter.toClassic(kit.system()).provider().resolveActorRef(
          root.path().toString() + "/pci-0000_00_02.0");
      if (!(c instanceof org.apache.pekko.actor.EmptyLocalActorRef)) child = Adapter.toTyped(c);
    }
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void everyMessageThatCrossesArrivesEqualAtTheSamePath() {
    long dropped = wire.dropped();
    for (Object sample : WireSamples.all(root)) {
      if (sample.getClass().getName().startsWith("dev.devemu.cluster.")) continue; // between nodes, not on links
      byte[] frame = wire.encode(500, 0, 1, 1, Adapter.toClassic(child), sample, "link guest>card0 x");
      assertTrue(wire.deliver(frame), sample.getClass().getName());
      assertEquals(sample, probe.receiveMessage(Duration.ofSeconds(5)), "through a link: " + sample.getClass());
    }
    assertEquals(dropped, wire.dropped(), "nothing dropped");
  }

  @Test
  void refsAreWrittenByPathBelowTheRoot() {
    assertEquals("/", wire.path(Adapter.toClassic(root)));
    assertEquals("pci-0000_00_02.0", wire.path(Adapter.toClassic(child)));
    assertTrue(wire.path(Adapter.toClassic(probe.ref())).startsWith("!"), "outside the testbed: a full address");
    assertEquals(Adapter.toClassic(child), wire.resolve("pci-0000_00_02.0"));
    assertEquals(null, wire.resolve("no-such-actor"));
  }

  @Test
  void systemMessagesHaveFramesOfTheirOwnAndOthersAreRefused() throws Exception {
    var c = Adapter.toClassic(child);
    var r = Adapter.toClassic(root);
    byte[] start = wire.encode(1, 0, 2, 1, c, LinkHook.START, "start");
    assertEquals(dev.devemu.protocol.v1.LinkSystemKind.LINK_START, LinkFrame.parseFrom(start).getSystem().getKind());
    byte[] watch = wire.encode(1, 0, 3, 1, c, new org.apache.pekko.dispatch.sysmsg.Watch(
        (org.apache.pekko.actor.InternalActorRef) c, (org.apache.pekko.actor.InternalActorRef) r), "watch");
    LinkFrame w = LinkFrame.parseFrom(watch);
    assertEquals("pci-0000_00_02.0", w.getSystem().getWatchee());
    assertEquals("/", w.getSystem().getWatcher());
    assertTrue(wire.deliver(watch), "a watch between two actors of the testbed is delivered");
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> wire.encode(1, 0, 4, 1, c, new org.apache.pekko.dispatch.sysmsg.Suspend(), "suspend"));
    assertTrue(refused.getMessage().contains("Suspend"), refused.getMessage());
    IllegalStateException noCodec = assertThrows(IllegalStateException.class,
        () -> wire.encode(1, 0, 5, 1, c, new PciDeviceActor.SetStalled(true, null), "stall"));
    assertTrue(noCodec.getMessage().contains("SetStalled"), noCodec.getMessage());
  }

  @Test
  void badFramesAreDroppedNotThrown() {
    long before = wire.dropped();
    assertFalse(wire.deliver(new byte[] {0x08, (byte) 0xff, 0x12, 0x7f, 0x01}), "undecodable");
    byte[] unknownManifest = LinkFrame.newBuilder().setReceiver("pci-0000_00_02.0")
        .setMessage(LinkPayload.newBuilder().setManifest("NoSuchMessage")).build().toByteArray();
    assertFalse(wire.deliver(unknownManifest), "unknown manifest");
    byte[] corrupt = LinkFrame.newBuilder().setReceiver("pci-0000_00_02.0").setMessage(LinkPayload.newBuilder()
        .setManifest("MmioWrite").setBytes(com.google.protobuf.ByteString.copyFrom(new byte[] {0x0a, 0x7f}))).build()
        .toByteArray();
    assertFalse(wire.deliver(corrupt), "corrupt payload");
    byte[] nobody = LinkFrame.newBuilder().setReceiver("gone").setMessage(LinkPayload.newBuilder()
        .setManifest("PciSetPresent")).build().toByteArray();
    assertFalse(wire.deliver(nobody), "no actor at the path");
    assertEquals(before + 4, wire.dropped());
    probe.expectNoMessage(Duration.ofMillis(100));
  }
}
