package dev.devemu.sim.domain;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.devemu.protocol.v1.LinkFrame;
import dev.devemu.protocol.v1.LinkPayload;
import dev.devemu.protocol.v1.LinkSystem;
import dev.devemu.protocol.v1.LinkSystemKind;
import dev.devemu.sim.LinkHook;
import dev.devemu.wire.Codec;
import dev.devemu.wire.CodecRegistry;
import dev.devemu.wire.WireContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorCell;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.InternalActorRef;
import org.apache.pekko.actor.LocalActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.dispatch.sysmsg.DeathWatchNotification;
import org.apache.pekko.dispatch.sysmsg.Terminate;
import org.apache.pekko.dispatch.sysmsg.Unwatch;
import org.apache.pekko.dispatch.sysmsg.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A link's crossings as bytes: what one time domain sends another, written as a {@code devemu.v1.LinkFrame}
 * (link.proto) the way it would travel between two nodes, and delivered on the receiver's side from those bytes
 * alone. The message is written by its {@link CodecRegistry} codec (never Java serialization); every
 * {@code ActorRef} (the receiver, the refs inside the message, the actors of a system message) is written as its
 * path below the testbed root, which is the same in every JVM that builds the testbed, and resolved on arrival to
 * whatever actor lives at that path there. The Pekko system messages that cross links in practice (the start of an
 * actor spawned from another domain, death watch, stop) have frames of their own; anything else is refused when
 * sent, naming the message, so a testbed that needs a new one fails loudly instead of diverging.
 *
 * <p>A frame that does not decode, names an unknown manifest or resolves to no actor is logged and dropped: the
 * receiving side keeps running ({@link #dropped()} counts them).
 */
public final class LinkWire {
  private static final Logger log = LoggerFactory.getLogger(LinkWire.class);

  private final ExtendedActorSystem system;
  private final String rootPath;
  private final String rootPrefix;
  private final String rootAddress;
  private final Refs refs;
  private final ConcurrentHashMap<String, ActorRef> resolved = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  /**
   * @param rootPath the testbed root's path without address ({@code /user/boot-0/tb-3}, as {@code SimHost.Launch}
   *     gives it)
   */
  public LinkWire(org.apache.pekko.actor.typed.ActorSystem<?> system, String rootPath) {
    this.system = (ExtendedActorSystem) Adapter.toClassic(system);
    this.rootPath = rootPath;
    this.rootPrefix = rootPath + "/";
    this.rootAddress = this.system.provider().getDefaultAddress().toString() + rootPath;
    this.refs = new Refs();
  }

  /** Frames that were dropped on arrival (undecodable, unknown manifest, no such actor). */
  public long dropped() {
    return dropped.get();
  }

  /** Bytes of every frame encoded so far. */
  public long bytes() {
    return bytes.get();
  }

  /**
   * The crossing as a frame.
   *
   * @throws IllegalStateException if the message cannot cross a node (no codec, or a system message links do not
   *     carry): the run stops and says which
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public byte[] encode(long deliverAt, int from, long sequence, int to, ActorRef receiver, Object what,
      String label) {
    LinkFrame.Builder f = LinkFrame.newBuilder().setDeliverAtNs(deliverAt).setFromDomain(from).setSequence(sequence)
        .setToDomain(to).setReceiver(path(receiver)).setLabel(label);
    if (what instanceof org.apache.pekko.dispatch.sysmsg.SystemMessage || LinkHook.START.equals(what)) {
      f.setSystem(system(what));
    } else {
      Codec codec = CodecRegistry.get().forType(what.getClass());
      if (codec == null) {
        throw new IllegalStateException("cannot carry " + what.getClass().getName() + " over a link: it has no "
            + "wire codec (a message that crosses time domains must be a CrossNode record)");
      }
      f.setMessage(LinkPayload.newBuilder().setManifest(codec.manifest())
          .setBytes(ByteString.copyFrom(codec.encode(what, refs))));
    }
    byte[] out = f.build().toByteArray();
    bytes.addAndGet(out.length);
    return out;
  }

  private LinkSystem system(Object what) {
    LinkSystem.Builder b = LinkSystem.newBuilder();
    if (LinkHook.START.equals(what)) return b.setKind(LinkSystemKind.LINK_START).build();
    if (what instanceof Watch w) {
      return b.setKind(LinkSystemKind.LINK_WATCH).setWatchee(path(w.watchee())).setWatcher(path(w.watcher())).build();
    }
    if (what instanceof Unwatch w) {
      return b.setKind(LinkSystemKind.LINK_UNWATCH).setWatchee(path(w.watchee())).setWatcher(path(w.watcher()))
          .build();
    }
    if (what instanceof Terminate) return b.setKind(LinkSystemKind.LINK_TERMINATE).build();
    if (what instanceof DeathWatchNotification d) {
      return b.setKind(LinkSystemKind.LINK_DEATH_WATCH_NOTIFICATION).setActor(path(d.actor()))
          .setExistenceConfirmed(d.existenceConfirmed()).setAddressTerminated(d.addressTerminated()).build();
    }
    throw new IllegalStateException("cannot carry the system message " + what.getClass().getSimpleName()
        + " over a link");
  }

  /**
   * Delivers a frame on the receiver's lane (its thread, in its window): the message goes into the receiver's
   * mailbox exactly as a send from that lane would put it there. False if the frame was dropped.
   */
  public boolean deliver(byte[] frame) {
    LinkFrame f;
    try {
      f = LinkFrame.parseFrom(frame);
    } catch (InvalidProtocolBufferException e) {
      return drop("an undecodable link frame (" + frame.length + " bytes): " + e.getMessage());
    }
    try {
      return deliver(f);
    } catch (RuntimeException e) {
      return drop("link frame " + f.getFromDomain() + ">" + f.getToDomain() + " #" + f.getSequence() + ": " + e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private boolean deliver(LinkFrame f) {
    InternalActorRef receiver = resolve(f.getReceiver());
    if (receiver == null) return drop("link frame for " + f.getReceiver() + ": no such actor below the testbed root");
    switch (f.getBodyCase()) {
      case MESSAGE -> {
        LinkPayload p = f.getMessage();
        Codec codec = CodecRegistry.get().forManifest(p.getManifest());
        if (codec == null) return drop("link frame with unknown manifest '" + p.getManifest() + "'");
        Object message;
        try {
          message = codec.decode(p.getBytes().toByteArray(), refs);
        } catch (java.io.IOException | RuntimeException e) {
          return drop("corrupt " + p.getManifest() + " on a link (" + p.getBytes().size() + " bytes): " + e.getMessage());
        }
        receiver.tell(message, ActorRef.noSender());
        return true;
      }
      case SYSTEM -> {
        return deliverSystem(receiver, f.getSystem());
      }
      default -> {
        return drop("link frame without a body");
      }
    }
  }

  private boolean deliverSystem(InternalActorRef receiver, LinkSystem s) {
    switch (s.getKind()) {
      case LINK_START -> {
        if (!(receiver instanceof LocalActorRef local)) return drop("start of " + receiver.path() + ": not local");
        ActorCell cell = local.underlying();
        // as Pekko's ActorCell.start does: the Create is in the mailbox, the dispatcher runs it
        cell.dispatcher().registerForExecution(cell.mailbox(), false, true);
        return true;
      }
      case LINK_WATCH, LINK_UNWATCH -> {
        InternalActorRef watchee = resolve(s.getWatchee());
        InternalActorRef watcher = resolve(s.getWatcher());
        if (watchee == null || watcher == null) return drop("death watch between unknown actors " + s.getWatchee()
            + ", " + s.getWatcher());
        receiver.sendSystemMessage(s.getKind() == LinkSystemKind.LINK_WATCH ? new Watch(watchee, watcher)
            : new Unwatch(watchee, watcher));
        return true;
      }
      case LINK_TERMINATE -> {
        receiver.sendSystemMessage(new Terminate());
        return true;
      }
      case LINK_DEATH_WATCH_NOTIFICATION -> {
        InternalActorRef actor = resolveChild(s.getActor());
        if (actor == null) return drop("death of an unknown actor " + s.getActor());
        receiver.sendSystemMessage(new DeathWatchNotification(actor, s.getExistenceConfirmed(),
            s.getAddressTerminated()));
        return true;
      }
      default -> {
        return drop("link frame with system message kind " + s.getKindValue());
      }
    }
  }

  /**
   * The message a frame carries, decoded without delivering it (the guest's node matches answers to its requests
   * in flight, for a later loss); null for a system message or a frame that does not decode (its delivery says so).
   */
  Object message(byte[] frame) {
    try {
      LinkFrame f = LinkFrame.parseFrom(frame);
      if (f.getBodyCase() != LinkFrame.BodyCase.MESSAGE) return null;
      LinkPayload p = f.getMessage();
      Codec codec = CodecRegistry.get().forManifest(p.getManifest());
      return codec == null ? null : codec.decode(p.getBytes().toByteArray(), refs);
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  /** Where a frame goes and when, for the canonical order; null (logged, dropped) if it does not decode. */
  Header header(byte[] frame) {
    try {
      LinkFrame f = LinkFrame.parseFrom(frame);
      return new Header(f.getDeliverAtNs(), f.getFromDomain(), f.getSequence(), f.getToDomain(), f.getLabel());
    } catch (InvalidProtocolBufferException e) {
      drop("an undecodable link frame (" + frame.length + " bytes): " + e.getMessage());
      return null;
    }
  }

  record Header(long deliverAt, int from, long sequence, int to, String label) {}

  boolean drop(String why) {
    long n = dropped.incrementAndGet();
    log.warn("devemu: dropped {} (dropped so far: {})", why, n);
    return false;
  }

  /** The path below the testbed root ("/" for the root); an actor outside the testbed by its full address. */
  String path(ActorRef ref) {
    String p = ref.path().toStringWithoutAddress();
    if (p.equals(rootPath)) return "/";
    if (p.startsWith(rootPrefix)) return p.substring(rootPrefix.length());
    return "!" + org.apache.pekko.serialization.Serialization.serializedActorPath(ref);
  }

  /** The actor at a path written by {@link #path}, in this JVM; null if none lives there now. */
  InternalActorRef resolve(String path) {
    ActorRef cached = resolved.get(path);
    if (cached != null && !((InternalActorRef) cached).isTerminated()) return (InternalActorRef) cached;
    String full = path.startsWith("!") ? path.substring(1) : path.equals("/") ? rootAddress : rootAddress + "/" + path;
    ActorRef ref = system.provider().resolveActorRef(full);
    if (ref == null || ref.equals(system.deadLetters()) || ((InternalActorRef) ref).isTerminated()
        || ref instanceof org.apache.pekko.actor.EmptyLocalActorRef) {
      return null;
    }
    resolved.put(path, ref);
    return (InternalActorRef) ref;
  }

  /**
   * An actor that may have stopped already (the subject of a death-watch notification): its parent still holds it
   * among its children until it hears of the death, so it is found there, the very ref the parent knows.
   */
  InternalActorRef resolveChild(String path) {
    InternalActorRef live = resolve(path);
    if (live != null) return live;
    int slash = path.lastIndexOf('/');
    InternalActorRef parent = resolve(slash < 0 ? "/" : path.substring(0, slash));
    if (!(parent instanceof LocalActorRef local)) return null;
    scala.Option<org.apache.pekko.actor.ChildStats> stats = local.underlying().getChildByName(path.substring(slash + 1));
    if (stats.isDefined() && stats.get() instanceof org.apache.pekko.actor.ChildRestartStats c) {
      return (InternalActorRef) c.child();
    }
    return null;
  }

  /** Refs inside messages: written and resolved by path below the testbed root, like the receiver. */
  private final class Refs extends WireContext {
    Refs() {
      super(null);
    }

    @Override
    public String ref(org.apache.pekko.actor.typed.ActorRef<?> ref) {
      return ref == null ? "" : path(Adapter.toClassic(ref));
    }

    @Override
    public <T> org.apache.pekko.actor.typed.ActorRef<T> ref(String serialized) {
      if (serialized.isEmpty()) return null;
      InternalActorRef r = resolve(serialized);
      if (r == null) throw new IllegalArgumentException("no actor at " + serialized + " below the testbed root");
      return Adapter.toTyped(r);
    }
  }
}
