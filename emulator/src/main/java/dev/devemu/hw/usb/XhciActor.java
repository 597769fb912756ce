package dev.devemu.hw.usb;

import com.google.protobuf.ByteString;
import dev.devemu.hw.machine.Host;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.sim.Cause;
import dev.devemu.sim.Traceable;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.wire.CrossNode;
import dev.devemu.wire.LocalOnly;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The xHCI host controller as an actor: the glue around {@link XhciCore}. It takes doorbells and commands from
 * the kernel's xhci driver, talks to the devices on its root-hub ports with URB-shaped messages (as USB/IP does:
 * submit, return, unlink), moves data to and from memory (where KASAN watches), writes events to the event ring
 * and signals them with an MSI.
 */
public final class XhciActor extends AbstractBehavior<XhciActor.Command> implements XhciCore.Glue {

  /** Messages the controller understands. */
  public interface Command {}

  /** The kernel programs interrupter 0: MSI address and data, interrupts enabled (IMAN.IE). */
  public record Interrupter(long msiAddress, int msiData, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "Interrupter";
    }
  }

  /**
   * The kernel queued a transfer descriptor for {@code submission} on endpoint {@code dci} of {@code slot} and rang
   * its doorbell. {@code buffer} is the transfer buffer's address (0 for control transfers, whose payload travels
   * in {@code data}); {@code setup} is empty except for control transfers.
   */
  public record TransferQueued(int slot, int dci, long submission, int endpoint, boolean in, int length,
      long buffer, ByteString setup, ByteString data, Cause cause) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "TransferQueued(slot " + slot + " dci " + dci + " #" + submission + ")";
    }
  }

  /** The kernel cancels a transfer (unlink, kill or endpoint flush): Stop Endpoint and skip the TD. */
  public record CancelTransfer(int slot, int dci, long submission, int status, Cause cause)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "CancelTransfer(slot " + slot + " dci " + dci + " #" + submission + ")";
    }
  }

  /** A command on the command ring; its completion comes back as an event with the same {@code command} id. */
  public record HostCommand(XhciCore.CommandKind kind, long command, int slot, int port, int dci,
      List<XhciCore.EndpointContext> endpoints, Cause cause) implements Command, CrossNode, Traceable {
    public HostCommand {
      endpoints = List.copyOf(endpoints);
    }

    @Override
    public String traceText() {
      return "HostCommand(" + kind + " slot " + slot + ")";
    }
  }

  /** A device was plugged into or pulled from a root-hub port (the link came up at {@code speed} or went away). */
  public record PortConnection(int port, boolean connected, UsbSpeed speed, Cause cause)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "PortConnection(" + port + (connected ? ", up" : ", down") + ")";
    }
  }

  /**
   * A device's answer to a transfer (USB/IP RET_SUBMIT): {@code status} 0, -EPIPE (STALL handshake), -EOVERFLOW
   * (babble) or -EPROTO (no valid answer); {@code data} carries control IN payloads.
   */
  public record UrbReturned(int port, long seq, int status, int actualLength, ByteString data, Cause cause)
      implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "UrbReturned(" + port + " #" + seq + ", " + status + ")";
    }
  }

  /** A device's answer to an unlink (USB/IP RET_UNLINK): -ECONNRESET if it dropped the transfer, else 0. */
  public record UnlinkReturned(int port, long seq, int status) implements Command, CrossNode, Traceable {
    @Override
    public String traceText() {
      return "UnlinkReturned(" + port + " #" + seq + ")";
    }
  }

  private record HcTimer(Object token) implements Command, LocalOnly, Traceable {
    @Override
    public String traceText() {
      return "HcTimer";
    }
  }

  private final Host host;
  private final XhciEventRing ring;
  private final ActorRef<IrqChipActor.Command> irqChip;
  private final ActorRef<UsbDeviceActor.Command>[] devices;
  private final XhciCore core;
  private long msiAddress;
  private int msiData;
  private boolean interruptsEnabled;

  /**
   * @param portDevices the device plugged into each root-hub port that has one (by port number)
   */
  public static Behavior<Command> create(Host host, XhciEventRing ring, ActorRef<IrqChipActor.Command> irqChip,
      java.util.SortedMap<Integer, ActorRef<UsbDeviceActor.Command>> portDevices) {
    return Behaviors.setup(ctx -> new XhciActor(ctx, host, ring, irqChip, portDevices));
  }

  @SuppressWarnings("unchecked")
  private XhciActor(ActorContext<Command> ctx, Host host, XhciEventRing ring,
      ActorRef<IrqChipActor.Command> irqChip, java.util.SortedMap<Integer, ActorRef<UsbDeviceActor.Command>> portDevices) {
    super(ctx);
    this.host = host;
    this.ring = ring;
    this.irqChip = irqChip;
    this.devices = new ActorRef[UsbPort.PORTS + 1];
    portDevices.forEach((port, ref) -> devices[port] = ref);
    this.core = new XhciCore(this);
  }

  @Override
  public Receive<Command> createReceive() {
    return dev.devemu.sim.LeanReceive.of(this::dispatch);
  }

  private Behavior<Command> dispatch(Command m) {
    if (m instanceof UrbReturned r) {
      core.returned(r.port(), r.seq(), r.status(), r.actualLength(), r.data(), r.cause());
    } else if (m instanceof TransferQueued t) {
      core.transfer(new XhciCore.Td(t.slot(), t.dci(), t.submission(), t.endpoint(), t.in(), t.length(), t.buffer(),
          t.setup(), t.data(), t.cause()));
    } else if (m instanceof HcTimer t) {
      core.timer(t.token());
    } else if (m instanceof CancelTransfer c) {
      core.cancel(c.slot(), c.dci(), c.submission(), c.cause());
    } else if (m instanceof UnlinkReturned u) {
      core.unlinkReturned(u.port(), u.seq(), u.status());
    } else if (m instanceof HostCommand c) {
      core.command(c.kind(), c.command(), c.slot(), c.port(), c.dci(), c.endpoints(), c.cause());
    } else if (m instanceof PortConnection p) {
      core.portConnection(p.port(), p.connected(), p.speed(), p.cause());
    } else if (m instanceof Interrupter i) {
      msiAddress = i.msiAddress();
      msiData = i.msiData();
      interruptsEnabled = true;
      if (!ring.isEmpty()) interrupt(i.cause());
    } else {
      return Behaviors.unhandled();
    }
    return this;
  }

  // ---- XhciCore.Glue ----

  @Override
  public void submitToDevice(int port, long seq, int endpoint, int length, ByteString setup, ByteString data,
      Cause cause) {
    ActorRef<UsbDeviceActor.Command> d = device(port);
    if (d != null) d.tell(new UsbDeviceActor.UrbSubmit(port, seq, endpoint, length, setup, data, getContext().getSelf(), cause));
  }

  @Override
  public void unlinkAtDevice(int port, long seq) {
    ActorRef<UsbDeviceActor.Command> d = device(port);
    if (d != null) d.tell(new UsbDeviceActor.UrbUnlink(port, seq, getContext().getSelf()));
  }

  private ActorRef<UsbDeviceActor.Command> device(int port) {
    return port >= 0 && port < devices.length ? devices[port] : null;
  }

  @Override
  public void post(XhciEvent e) {
    ring.add(e);
    if (!ring.interruptPending()) interrupt(e.cause());
  }

  /** IMAN.IP was clear: set it and send the MSI. While it is set, further events ride on the same interrupt. */
  private void interrupt(Cause cause) {
    if (!interruptsEnabled || host.halted()) return;
    ring.interruptPending(true);
    Cause c = cause == null ? Cause.root("xhci", host.now(), "event") : cause;
    irqChip.tell(new IrqChipActor.MsiWrite(msiAddress, msiData, "xhci", c.thenLazy("xhci", Cause.NO_CPU,
        host.now(), () -> "event ring not empty: MSI")));
  }

  @Override
  public void schedule(long delayNanos, Object token) {
    ActorRef<Command> self = getContext().getSelf();
    host.clock().schedule(delayNanos, "xhci", () -> self.tell(new HcTimer(token)));
  }

  @Override
  public void dmaRead(XhciCore.Td td) {
    dma(td, td.length, false);
  }

  @Override
  public void dmaWrite(XhciCore.Td td, int length) {
    dma(td, length, true);
  }

  /** The controller's bus-master access to a transfer buffer: a freed or too small buffer is KASAN's to report. */
  private void dma(XhciCore.Td td, int length, boolean write) {
    host.busMasterAccess("xhci", td.buffer, length, write, td.cause,
        () -> "xhci " + (write ? "IN" : "OUT") + " transfer on ep 0x" + Integer.toHexString(td.endpoint));
  }
}
