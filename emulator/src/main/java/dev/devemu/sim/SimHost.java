package dev.devemu.sim;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An actor system that hosts deterministic testbeds: one lane per worker thread, each running one testbed at a
 * time on the thread that asks for it.
 *
 * <p>Each lane has a long-lived boot actor. Top-level spawns are asynchronous in Pekko (the system guardian
 * starts the child on its own thread), so testbed roots are spawned as children of the boot actor, from inside
 * the lane's loop, where child creation is synchronous and on the lane thread.
 */
public final class SimHost implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final List<ActorRef<SpawnTestbed>> boots;
  private final AtomicLong testbeds = new AtomicLong();

  /** Asks a lane's boot actor to spawn a testbed root (root != null) or to stop it (root == null). */
  record SpawnTestbed(String name, Behavior<?> root) implements Traceable, org.apache.pekko.actor.NoSerializationVerificationNeeded {
    @Override
    public String traceText() {
      return root == null ? "StopTestbed" : "SpawnTestbed";
    }
  }

  private SimHost(ActorSystem<Void> system, List<ActorRef<SpawnTestbed>> boots) {
    this.system = system;
    this.boots = boots;
  }

  /** Starts an actor system named {@code name} with {@code lanes} lane dispatchers over the given config. */
  public static SimHost start(String name, int lanes, Config config) {
    Config full = SimLanes.dispatcherConfig(lanes).withFallback(config).withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, full);
    List<ActorRef<SpawnTestbed>> boots = new ArrayList<>();
    List<AtomicBoolean> started = new ArrayList<>();
    for (int i = 0; i < lanes; i++) {
      AtomicBoolean up = new AtomicBoolean();
      started.add(up);
      boots.add(system.systemActorOf(boot(up), "lane-" + i, DispatcherSelector.fromConfig(SimLanes.dispatcherId(i))));
    }
    // The boot actors start on the system guardian's thread; run their start-up here, before any testbed.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!started.stream().allMatch(AtomicBoolean::get)) {
      if (SimLanes.drainForShutdown(system) == 0) Thread.onSpinWait();
      if (System.nanoTime() > deadline) throw new IllegalStateException("lane boot actors did not start");
    }
    return new SimHost(system, boots);
  }

  public static SimHost start(String name, int lanes) {
    return start(name, lanes, ConfigFactory.empty());
  }

  private static Behavior<SpawnTestbed> boot(AtomicBoolean started) {
    return Behaviors.setup(ctx -> {
      started.set(true);
      return Behaviors.receive(SpawnTestbed.class)
          .onMessage(SpawnTestbed.class, m -> {
            if (m.root() != null) {
              ctx.spawn(m.root(), m.name(), DispatcherSelector.sameAsParent());
            } else {
              ctx.getChild(m.name()).ifPresent(ctx::stop);
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int lanes() {
    return boots.size();
  }

  /**
   * Runs one testbed on lane {@code lane}, on the calling thread, until its root actor stops and every mailbox
   * is drained. The root must call {@link SimRun#finish()} when it stops.
   */
  public <T> SimLane.RunStats run(int lane, SimRun run, Function<SimRun, Behavior<T>> root) {
    Launch l = launch(lane, run, root);
    return SimLanes.lane(system, lane).run(run, l.bootPath(), l.rootPath(), l.boot(), l.abort());
  }

  /**
   * How to start a testbed on lane {@code lane}: the boot actor's path, the root's path, and the two requests to
   * the boot actor (spawn the root, stop it), to be called on the lane thread. Time domains start through this.
   */
  public record Launch(String bootPath, String rootPath, Runnable boot, Runnable abort) {}

  public <T> Launch launch(int lane, SimRun run, Function<SimRun, Behavior<T>> root) {
    if (lane < 0 || lane >= boots.size()) {
      throw new IllegalArgumentException("no lane " + lane + " (have " + boots.size() + ")");
    }
    String name = "tb-" + testbeds.incrementAndGet();
    ActorRef<SpawnTestbed> boot = boots.get(lane);
    String bootPath = boot.path().toStringWithoutAddress();
    return new Launch(bootPath, bootPath + "/" + name,
        () -> boot.tell(new SpawnTestbed(name, root.apply(run))),
        () -> boot.tell(new SpawnTestbed(name, null)));
  }

  @Override
  public void close() {
    system.terminate();
    var terminated = system.getWhenTerminated().toCompletableFuture();
    try {
      // Stopping lane actors needs their mailboxes to run: keep pumping until the system is gone.
      while (!terminated.isDone()) {
        if (SimLanes.drainForShutdown(system) == 0) {
          try {
            terminated.get(5, TimeUnit.MILLISECONDS);
          } catch (TimeoutException stillStopping) {
            // pump again
          }
        }
      }
    } catch (Exception e) {
      Thread.currentThread().interrupt();
    } finally {
      SimLanes.release(system);
    }
  }
}
