package dev.devemu.cluster;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/** What the HTTP door of a node needs from the node: the proxy to the coordinator singleton, the door's token. */
public final class NodeServices implements Extension {
  private static final class Id extends ExtensionId<NodeServices> {
    @Override
    public NodeServices createExtension(ActorSystem<?> system) {
      return new NodeServices();
    }
  }

  private static final Id ID = new Id();

  private volatile ActorRef<CampaignCoordinator.Command> coordinator;
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

  /** The bearer token the door requires; null until the node set it (the door then lets nobody in). */
  String httpToken() {
    return httpToken;
  }

  void httpToken(String token) {
    this.httpToken = token;
  }
}
