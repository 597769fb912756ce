package dev.devemu.hw.usb;

import com.google.protobuf.ByteString;
import dev.devemu.sim.Cause;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.Traceable;
import dev.devemu.sim.VirtualClock;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import java.util.LinkedHashMap;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The bus glue around a {@link UsbDeviceModel}: the device state of USB chapter 9 (default, address, configured),
 * the standard control requests answered from the model's descriptors, endpoint halt features (a halted endpoint
 * STALLs until CLEAR_FEATURE), and URB-shaped messages with the host controller, as USB/IP carries them — so the
 * device could sit on another node. A device that was pulled out answers nothing.
 *
 * <p>Fault points {@code usb_stall}, {@code usb_babble} and {@code usb_transaction_error} turn a successful data
 * transfer into a STALL (and halt the endpoint), a babble or a transaction error. An isochronous endpoint has no
 * handshake, so no STALL: each of its transfers is one packet, which {@code usb_iso_missed} (-EXDEV),
 * {@code usb_babble} or {@code usb_transaction_error} can spoil.
 */
public final class UsbDeviceActor extends AbstractBehavior<UsbDeviceActor.Command> implements UsbDeviceContext {

  /** Messages a USB device understands. */
  public interface Command {}

  /**
   * A transfer from the host (USB/IP CMD_SUBMIT). {@code setup} holds the 8 SETUP bytes of a control transfer
   * (empty otherwise), {@code data} an OUT control payload.
   */
  public record UrbSubmit(int port, long seq, int endpoint, int length, ByteString setup, ByteString data,
      ActorRef<XhciActor.Command> replyTo, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "UrbSubmit(#" + seq + " ep " + endpoint + ")";
    }
  }

  /** The host drops a transfer (USB/IP CMD_UNLINK). */
  public record UrbUnlink(int port, long seq, ActorRef<XhciActor.Command> replyTo)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "UrbUnlink(#" + seq + ")";
    }
  }

  /** The device is plugged in ({@code true}) or pulled out. */
  public record SetPresent(boolean present) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "SetPresent(" + present + ")";
    }
  }

  private record ModelTimer(Object token) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "ModelTimer";
    }
  }

  /** A control transfer answered after the device's turnaround time. */
  private record ControlReply(long seq, int status, int actual, ByteString data) {}

  private record Pending(int endpoint, int length, Cause cause) {}

  /** Chapter 9 device states the glue tracks. */
  private enum DeviceState { DEFAULT, ADDRESS, CONFIGURED }

  /** Time a device takes to answer a control request (SETUP, data and status stages). */
  static final long CONTROL_NANOS = 10_000;

  private final UsbPort port;
  private final String name;
  private final UsbDeviceModel model;
  private final VirtualClock clock;
  private final BiPredicate<String, String> faults;
  private Supplier<SimRandom> randomSource;
  private SimRandom random;
  private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
  private final boolean[] halted = new boolean[32];
  private final String[] faultWhere = new String[32];
  /** Endpoint indexes that are isochronous in some alternate setting of the configuration. */
  private final boolean[] isochronous = new boolean[32];
  /** The current alternate setting of each interface number. */
  private final int[] alternate = new int[256];
  private ActorRef<XhciActor.Command> host;
  private DeviceState state = DeviceState.DEFAULT;
  private int address;
  private int configuration;
  private boolean present = true;
  private long generation;

  /**
   * @param faults decides a fault point ({@code kernel.faults()::inject} on the host's side)
   */
  public static Behavior<Command> create(UsbPort port, UsbDeviceModel model, VirtualClock clock,
      Supplier<SimRandom> random, BiPredicate<String, String> faults) {
    return Behaviors.setup(ctx -> new UsbDeviceActor(ctx, port, model, clock, random, faults));
  }

  private UsbDeviceActor(ActorContext<Command> ctx, UsbPort port, UsbDeviceModel model, VirtualClock clock,
      Supplier<SimRandom> random, BiPredicate<String, String> faults) {
    super(ctx);
    this.port = port;
    this.name = port.toString();
    this.model = model;
    this.clock = clock;
    this.randomSource = random;
    this.faults = faults;
    for (UsbDescriptors.Interface i : model.configuration().interfaces()) {
      for (UsbDescriptors.Endpoint e : i.endpoints()) {
        if ((e.desc().attributes() & 3) == UsbDescriptors.ENDPOINT_XFER_ISOC) isochronous[index(e.desc().address())] = true;
      }
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return dev.devemu.sim.LeanReceive.of(this::dispatch);
  }

  private Behavior<Command> dispatch(Command m) {
    if (m instanceof UrbSubmit s) return onSubmit(s);
    if (m instanceof ModelTimer t) return onTimer(t);
    if (m instanceof UrbUnlink u) return onUnlink(u);
    if (m instanceof SetPresent p) return onSetPresent(p);
    return Behaviors.unhandled();
  }

  private Behavior<Command> onSubmit(UrbSubmit m) {
    if (!present) return this; // nobody on the wire: the controller times the transaction out
    host = m.replyTo();
    if (m.endpoint() == 0) {
      control(m);
      return this;
    }
    int idx = index(m.endpoint());
    if (halted[idx] || state != DeviceState.CONFIGURED) {
      // A halted endpoint (or one of an unconfigured device) answers with a STALL handshake.
      reply(m.seq(), -Errno.EPIPE, 0, ByteString.EMPTY, m.cause(), speed().wireNanos(8));
      return this;
    }
    pending.put(m.seq(), new Pending(m.endpoint(), m.length(), m.cause()));
    byte[] out = (m.endpoint() & 0x80) == 0 && !m.data().isEmpty() ? m.data().toByteArray() : null;
    model.onTransfer(m.seq(), m.endpoint(), m.length(), out, this);
    return this;
  }

  private Behavior<Command> onUnlink(UrbUnlink m) {
    if (!present) return this;
    Pending p = pending.remove(m.seq());
    if (p != null) model.onCancelled(m.seq(), this);
    m.replyTo().tell(new XhciActor.UnlinkReturned(port.port(), m.seq(), p != null ? -Errno.ECONNRESET : 0));
    return this;
  }

  private Behavior<Command> onSetPresent(SetPresent m) {
    if (m.present() == present) return this;
    present = m.present();
    generation++;
    pending.clear();
    java.util.Arrays.fill(halted, false);
    java.util.Arrays.fill(alternate, 0);
    state = DeviceState.DEFAULT;
    address = 0;
    configuration = 0;
    if (present) model.onReset(this);
    else model.onRemoved(this);
    return this;
  }

  private Behavior<Command> onTimer(ModelTimer m) {
    if (!present) return this;
    if (m.token() instanceof Stamped s) {
      if (s.generation() != generation) return this;
      if (s.token() instanceof ControlReply r) {
        send(r.seq(), r.status(), r.actual(), r.data(), null);
      } else {
        model.onTimer(s.token(), this);
      }
    }
    return this;
  }

  /** A timer token tagged with the plug generation, so that a timer from before an unplug is dropped. */
  private record Stamped(long generation, Object token) {}

  // ---- control transfers (chapter 9 standard requests) ----

  private void control(UrbSubmit m) {
    UsbSetup s;
    try {
      s = UsbSetup.parse(m.setup().toByteArray());
    } catch (IllegalArgumentException e) {
      reply(m.seq(), -Errno.EPIPE, 0, ByteString.EMPTY, m.cause(), CONTROL_NANOS);
      return;
    }
    if (!s.standard()) {
      reply(m.seq(), -Errno.EPIPE, 0, ByteString.EMPTY, m.cause(), CONTROL_NANOS);
      return;
    }
    byte[] answer = null;
    boolean ok = true;
    switch (s.request()) {
      case UsbSetup.REQ_GET_DESCRIPTOR -> {
        answer = descriptor(s.value() >>> 8, s.value() & 0xff);
        ok = answer != null;
      }
      case UsbSetup.REQ_SET_ADDRESS -> {
        address = s.value() & 0x7f;
        state = address == 0 ? DeviceState.DEFAULT : DeviceState.ADDRESS;
      }
      case UsbSetup.REQ_SET_CONFIGURATION -> {
        int value = s.value() & 0xff;
        if (value == 0) {
          state = DeviceState.ADDRESS;
          configuration = 0;
          model.onConfigured(0, this);
        } else if (value == model.configuration().desc().configurationValue() && state != DeviceState.DEFAULT) {
          state = DeviceState.CONFIGURED;
          configuration = value;
          java.util.Arrays.fill(halted, false);
          java.util.Arrays.fill(alternate, 0);
          model.onConfigured(value, this);
        } else {
          ok = false;
        }
      }
      case UsbSetup.REQ_GET_CONFIGURATION -> answer = new byte[] {(byte) configuration};
      case UsbSetup.REQ_SET_INTERFACE -> {
        // only in the configured state, and only an alternate setting the configuration has (USB 2.0 §9.4.10)
        int number = s.index() & 0xff;
        ok = s.recipient() == UsbSetup.RECIP_INTERFACE && state == DeviceState.CONFIGURED
            && hasAlternate(number, s.value());
        if (ok) {
          // SET_INTERFACE clears the Halt feature of the interface's endpoints (USB 2.0 §9.4.10)
          for (UsbDescriptors.Interface i : model.configuration().interfaces()) {
            if (i.desc().number() != number) continue;
            for (UsbDescriptors.Endpoint ep : i.endpoints()) halted[index(ep.desc().address())] = false;
          }
          alternate[number] = s.value();
          model.onInterface(number, s.value(), this);
        }
      }
      case UsbSetup.REQ_GET_INTERFACE -> {
        int number = s.index() & 0xff;
        ok = s.recipient() == UsbSetup.RECIP_INTERFACE && state == DeviceState.CONFIGURED && hasAlternate(number, 0);
        if (ok) answer = new byte[] {(byte) alternate[number]};
      }
      case UsbSetup.REQ_GET_STATUS -> {
        int bits = s.recipient() == UsbSetup.RECIP_ENDPOINT && halted[index(s.index())] ? 1 : 0;
        answer = new byte[] {(byte) bits, 0};
      }
      case UsbSetup.REQ_CLEAR_FEATURE, UsbSetup.REQ_SET_FEATURE -> {
        if (s.recipient() == UsbSetup.RECIP_ENDPOINT && s.value() == UsbSetup.ENDPOINT_HALT) {
          boolean set = s.request() == UsbSetup.REQ_SET_FEATURE;
          halted[index(s.index())] = set;
          if (!set) model.onHaltCleared(s.index(), this);
        } else {
          ok = false;
        }
      }
      default -> ok = false;
    }
    if (!ok) {
      reply(m.seq(), -Errno.EPIPE, 0, ByteString.EMPTY, m.cause(), CONTROL_NANOS);
      return;
    }
    ByteString data = ByteString.EMPTY;
    int actual = 0;
    if (answer != null && s.in()) {
      actual = Math.min(answer.length, s.length());
      data = ByteString.copyFrom(answer, 0, actual);
    }
    reply(m.seq(), 0, actual, data, m.cause(), CONTROL_NANOS);
  }

  private boolean hasAlternate(int number, int alt) {
    for (UsbDescriptors.Interface i : model.configuration().interfaces()) {
      if (i.desc().number() == number && i.desc().alternateSetting() == alt) return true;
    }
    return false;
  }

  private byte[] descriptor(int type, int index) {
    return switch (type) {
      case UsbDescriptors.DT_DEVICE -> model.deviceDescriptor().toBytes();
      case UsbDescriptors.DT_CONFIG -> index == 0 ? model.configuration().toBytes() : null;
      case UsbDescriptors.DT_BOS -> model.bos();
      // String descriptor 0: the language IDs (US English); the device has no other strings.
      case UsbDescriptors.DT_STRING -> index == 0 ? new byte[] {4, UsbDescriptors.DT_STRING, 0x09, 0x04} : null;
      default -> null;
    };
  }

  private void reply(long seq, int status, int actual, ByteString data, Cause cause, long delay) {
    scheduleStamped(delay, new ControlReply(seq, status, actual, data));
  }

  // ---- UsbDeviceContext ----

  @Override
  public void complete(long seq, int status, int actualLength) {
    complete(seq, status, actualLength, null);
  }

  @Override
  public void complete(long seq, int status, int actualLength, byte[] data) {
    Pending p = pending.remove(seq);
    if (p == null || !present) return;
    if (status == 0) {
      int idx = index(p.endpoint());
      String where = faultWhere[idx];
      if (where == null) where = faultWhere[idx] = name + " ep 0x" + Integer.toHexString(p.endpoint());
      if (isochronous[idx]) {
        // one isochronous packet: no handshake, so no STALL; a missed interval or a damaged packet
        if (faults.test(UsbFaultPoints.MISSED_SERVICE, where)) {
          status = -Errno.EXDEV;
          actualLength = 0;
        } else if (faults.test(UsbFaultPoints.BABBLE, where)) {
          status = -Errno.EOVERFLOW;
        } else if (faults.test(UsbFaultPoints.TRANSACTION_ERROR, where)) {
          status = -Errno.EPROTO;
          actualLength = 0;
        }
      } else if (faults.test("usb_stall", where)) {
        halted[idx] = true;
        status = -Errno.EPIPE;
        actualLength = 0;
      } else if (faults.test("usb_babble", where)) {
        status = -Errno.EOVERFLOW;
      } else if (faults.test("usb_transaction_error", where)) {
        status = -Errno.EPROTO;
        actualLength = 0;
      }
    }
    // A STALL handshake on a data endpoint is its Halt feature set: it answers STALL until CLEAR_FEATURE.
    // An isochronous endpoint has no handshake and no Halt feature.
    if (status == -Errno.EPIPE && !isochronous[index(p.endpoint())]) halted[index(p.endpoint())] = true;
    ByteString bytes = ByteString.EMPTY;
    if (data != null && status != -Errno.EPIPE && status != -Errno.EPROTO && status != -Errno.EXDEV) {
      bytes = ByteString.copyFrom(data, 0, Math.min(data.length, Math.max(0, actualLength)));
    }
    send(seq, status, actualLength, bytes, p.cause());
  }

  private void send(long seq, int status, int actual, ByteString data, Cause cause) {
    if (host == null) return;
    Cause c = cause == null ? cause(() -> "answer") : cause.thenLazy(name, Cause.NO_CPU, now(),
        () -> "device answers #" + seq + " (" + Errno.describe(status) + ")");
    host.tell(new XhciActor.UrbReturned(port.port(), seq, status, actual, data, c));
  }

  private static int index(int endpoint) {
    return (endpoint & 0x0f) | ((endpoint & 0x80) != 0 ? 16 : 0);
  }

  @Override
  public long now() {
    return clock.now();
  }

  @Override
  public SimRandom random() {
    if (random == null) {
      random = randomSource.get();
      randomSource = null;
    }
    return random;
  }

  @Override
  public void schedule(long delayNanos, Object token) {
    scheduleStamped(delayNanos, token);
  }

  private void scheduleStamped(long delayNanos, Object token) {
    ActorRef<Command> self = getContext().getSelf();
    Stamped s = new Stamped(generation, token);
    clock.schedule(delayNanos, name, () -> self.tell(new ModelTimer(s)));
  }

  @Override
  public boolean present() {
    return present;
  }

  @Override
  public UsbSpeed speed() {
    return model.speed();
  }

  @Override
  public Cause cause(Supplier<String> what) {
    return Cause.rootLazy(name, Cause.NO_CPU, now(), what);
  }
}
