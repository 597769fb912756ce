package dev.devemu.cluster;

import com.google.protobuf.ByteString;
import dev.devemu.sim.domain.RemoteDomains;
import dev.devemu.wire.CrossNode;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the node that runs a guest and a node that hosts device domains of the same run say to each other over
 * Pekko Artery (link.proto; {@link DomainNodeCodecs}): start, one round per round, end. Crossings travel inside a
 * round as LinkFrame bytes.
 */
public final class DomainNodeMessages {
  private DomainNodeMessages() {}

  /** Build the testbed of {@code source} under {@code seed} and host {@code hosted}. */
  public record Start(long run, String source, String file, long seed, List<String> hosted, boolean detailed,
      long maxChoices, ActorRef<Object> replyTo) implements CrossNode {
    public Start {
      hosted = List.copyOf(hosted);
    }
  }

  /** @param error empty if the domains are built; {@code next} by plan index */
  public record Started(long run, List<Long> next, String error) implements CrossNode {
    public Started {
      next = List.copyOf(next);
    }
  }

  public record Round(long run, long round, List<Long> horizons, List<ByteString> frames, ActorRef<Object> replyTo)
      implements CrossNode {
    public Round {
      horizons = List.copyOf(horizons);
      frames = List.copyOf(frames);
    }
  }

  public record RoundDone(long run, long round, List<Long> next, List<ByteString> frames,
      List<RemoteDomains.TraceEntry> trace, String error) implements CrossNode {
    public RoundDone {
      next = List.copyOf(next);
      frames = List.copyOf(frames);
      trace = List.copyOf(trace);
    }
  }

  public record End(long run, ActorRef<Object> replyTo) implements CrossNode {}

  public record Ended(long run, long choices, long virtualNanos, long crossings) implements CrossNode {}

  static List<Long> boxed(long[] values) {
    java.util.ArrayList<Long> out = new java.util.ArrayList<>(values.length);
    for (long v : values) out.add(v);
    return out;
  }

  static long[] unboxed(List<Long> values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) out[i] = values.get(i);
    return out;
  }
}
