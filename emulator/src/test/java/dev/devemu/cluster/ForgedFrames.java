package dev.devemu.cluster;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * A remoting peer that sends well-framed Artery messages whose payload claims to be a devemu message
 * ({@code RunCompleted}, serializer id of {@link dev.devemu.wire.DevemuSerializer}) but is not valid Protobuf.
 */
final class ForgedFrames {
  private ForgedFrames() {}

  /** What the forging system sends; its serializer writes garbage under a real devemu manifest. */
  public record Forged(int n) implements dev.devemu.wire.CrossNode {}

  public static final class CorruptingSerializer extends SerializerWithStringManifest {
    @Override
    public int identifier() {
      return dev.devemu.wire.DevemuSerializer.IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
      return "RunCompleted";
    }

    @Override
    public byte[] toBinary(Object o) {
      // Field 1 (worker, a string) claims 1000 bytes that never come: not a RunCompleted.
      byte[] b = "\n\u00e8\u0007not protobuf at all".getBytes(StandardCharsets.ISO_8859_1);
      return b;
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
      return new Forged(bytes.length);
    }
  }

  /** Sends {@code count} forged frames to an actor path of the node at {@code host:port}. */
  static void send(String host, int port, int count) throws Exception {
    int own = LocalCluster.freePort();
    ActorSystem forger = ActorSystem.create("forger", ConfigFactory.parseString("""
        pekko.actor.provider = remote
        pekko.remote.artery.transport = tcp
        pekko.remote.artery.canonical.hostname = "127.0.0.1"
        pekko.remote.artery.canonical.port = %d
        pekko.actor.serializers.devemu = "%s"
        pekko.actor.serialize-messages = off
        """.formatted(own, CorruptingSerializer.class.getName())).withFallback(ConfigFactory.load()));
    try {
      var target = forger.actorSelection("pekko://devemu@" + host + ":" + port + "/system/worker");
      for (int i = 0; i < count; i++) target.tell(new Forged(i), org.apache.pekko.actor.ActorRef.noSender());
      Thread.sleep(2000); // let the frames leave before the system goes
    } finally {
      forger.terminate();
      forger.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
