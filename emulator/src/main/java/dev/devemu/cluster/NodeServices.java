package dev.devemu.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What the HTTP door of a node needs from the node: the proxy to the coordinator singleton, the door's token, and
 * what {@code /ready} and {@code status} report (is the journal writable, has the coordinator recovered if it runs
 * here).
 */
public final class NodeServices implements Extension {
  private static final class Id extends ExtensionId<NodeServices> {
    @Override
    public NodeServices createExtension(ActorSystem<?> system) {
      return new NodeServices();
    }
  }

  private static final Id ID = new Id();

  private volatile ActorRef<CampaignCoordinator.Command> coordinator;
  private volatile String journalProblem = "the journal has not been checked yet";
  private volatile boolean coordinatorRecovered;
  private volatile String httpToken;

  public static NodeServices get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public ActorRef<CampaignCoordinator.Command> coordinator() {
    ActorRef<CampaignCoordinator.Command> c = coordinator;
    if (c == null) throw new IllegalStateException("this node has not started its campaign services yet");
    return c;
  }

  void coordinator(ActorRef<CampaignCoordinator.Command> proxy) {
    this.coordinator = proxy;
  }

  /** Null while the journal takes writes; otherwise why it does not (from the last probe). */
  public String journalProblem() {
    return journalProblem;
  }

  void journalProblem(String problem) {
    this.journalProblem = problem;
  }

  /** Whether a coordinator in this JVM has recovered its state and serves. */
  public boolean coordinatorRecovered() {
    return coordinatorRecovered;
  }

  void coordinatorRecovered(boolean recovered) {
    this.coordinatorRecovered = recovered;
  }

  /** Whether the campaign services (coordinator proxy, worker) have started. */
  public boolean started() {
    return coordinator != null;
  }

  /** The bearer token the door requires; null until the node set it (the door then lets nobody in). */
  String httpToken() {
    return httpToken;
  }

  void httpToken(String token) {
    this.httpToken = token;
  }
}
