package dev.devemu.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.NotSerializableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CodecRoundTripTest {
  ActorTestKit kit;
  ActorRef<Object> ref;
  Serialization serialization;

  @BeforeAll
  void start() {
    kit = ActorTestKit.create("CodecRoundTripTest");
    ref = kit.spawn(Behaviors.ignore(), "sample-target");
    serialization = SerializationExtension.get(kit.system().classicSystem());
  }

  @AfterAll
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void everyMessageSurvivesPekkoSerializationUnchanged() throws Exception {
    List<Object> samples = WireSamples.all(ref);
    Set<Class<?>> covered = new HashSet<>();
    for (Object sample : samples) {
      var serializer = serialization.findSerializerFor(sample);
      assertEquals(DevemuSerializer.class, serializer.getClass(), sample.getClass() + " must use the devemu serializer");
      byte[] bytes = serialization.serialize(sample).get();
      String manifest = Serializers.manifestFor(serializer, sample);
      Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
      assertEquals(sample, back, "round trip of " + sample.getClass().getSimpleName());
      covered.add(sample.getClass());
    }
    for (Codec<?, ?> c : CodecRegistry.get().all()) {
      assertTrue(covered.contains(c.type()), "no round-trip sample for " + c.type().getName());
    }
  }

  @Test
  void everyCrossNodeClassHasACodec() throws IOException {
    Path classes = Path.of("target/classes");
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(p).toString().replace('/', '.').replace(".class", "");
        Class<?> type;
        try {
          type = Class.forName(name, false, getClass().getClassLoader());
        } catch (ClassNotFoundException | NoClassDefFoundError e) {
          continue;
        }
        if (CrossNode.class.isAssignableFrom(type) && !type.isInterface()) {
          assertNotNull(CodecRegistry.get().forType(type), type.getName() + " is CrossNode but has no codec");
        }
      }
    }
  }

  @Test
  void garbageBytesAreRejectedWithANameNotAnException() {
    DevemuSerializer serializer = new DevemuSerializer((org.apache.pekko.actor.ExtendedActorSystem) kit.system().classicSystem());
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(new byte[] {(byte) 0xff, 0x01, 0x02}, "MmioRead"));
    assertTrue(e.getMessage().contains("MmioRead"), e.getMessage());
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[0], "NoSuchMessage"));
  }

  @Test
  void aVariantThisBuildDoesNotKnowIsACorruptFrameNamingTheField() throws Exception {
    DevemuSerializer serializer = new DevemuSerializer((org.apache.pekko.actor.ExtendedActorSystem) kit.system().classicSystem());
    // a worker's assignment whose run names a variant this build does not know
    byte[] frame = dev.devemu.protocol.v1.WorkAssigned.newBuilder().setEpoch("e1").setSeq(1)
        .addRuns(dev.devemu.protocol.v1.RunRequest.newBuilder().setCampaignId("c").setScenarioFile("s.conf")
            .setScenarioSource("scenario {}").setSeed(1).setVariant("unsafe"))
        .build().toByteArray();
    String manifest = "WorkAssigned";
    NotSerializableException e = assertThrows(NotSerializableException.class, () -> serializer.fromBinary(frame, manifest));
    assertTrue(e.getMessage().contains("RunRequest.variant: unknown variant \"unsafe\" (use raw or safe)"), e.getMessage());
  }
}
