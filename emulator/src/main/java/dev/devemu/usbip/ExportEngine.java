package dev.devemu.usbip;

import com.google.protobuf.ByteString;
import dev.devemu.fault.Faults;
import dev.devemu.fault.Moments;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimRandom;
import dev.devemu.sim.SimRun;
import dev.devemu.sim.VirtualClock;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.uapi.Errno;
import dev.devemu.usbip.UsbipProtocol.Basic;
import dev.devemu.usbip.UsbipProtocol.CmdSubmit;
import dev.devemu.usbip.UsbipProtocol.CmdUnlink;
import dev.devemu.usbip.UsbipProtocol.IsoPacket;
import dev.devemu.usbip.UsbipProtocol.OpCommon;
import dev.devemu.usbip.UsbipProtocol.Pdu;
import dev.devemu.usbip.UsbipProtocol.RetSubmit;
import dev.devemu.usbip.UsbipProtocol.RetUnlink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The device side of a USB/IP export, on a simulation lane: the scenario's USB device models (each hosted by the
 * hardware layer's {@link UsbDeviceActor}, as in a testbed) in place of a host controller, and the server logic of
 * {@code usbipd} and {@code usbip-host} ({@code stub_rx.c}, {@code stub_tx.c}) in place of the kernel. Everything
 * here runs on the lane thread, from inputs the lane delivers ({@link Input}) and timers; what it answers goes to
 * an {@link Output}. So a live session and its replay produce the same bytes.
 */
final class ExportEngine {
  /** Where answers go: a connection's bytes, or the end of a connection. */
  interface Output {
    void send(int conn, byte[] bytes);

    void close(int conn, String why);

    /** The import of {@code conn} was accepted (true) or refused: the reader switches to URB framing or stops. */
    void imported(int conn, boolean ok);

    /** A note for the server's log (a fault applied, a connection refused). */
    void log(String line);

    /** A URB of {@code conn} left the server's books (answered, unlinked or dropped): flow control. */
    default void released(int conn, int urbs) {}
  }

  /** What arrives from a connection, as the lane delivers it. */
  sealed interface Input permits Open, Op, Urb, Eof, Bad {
    int conn();
  }

  record Open(int conn) implements Input {}

  /** An operation request: op_common and its body. */
  record Op(int conn, byte[] bytes) implements Input {}

  /** A URB message (header and payload), already framed and checked by {@link UsbipProtocol#payloadLength}. */
  record Urb(int conn, byte[] bytes) implements Input {}

  /** The client closed its side. */
  record Eof(int conn) implements Input {}

  /** The client sent something malformed; {@code why} says what. */
  record Bad(int conn, String why) implements Input {}

  /** Status of URBs on a link that is down: no handshake comes back, the controller reports a transaction error. */
  static final int LINK_DOWN_STATUS = -Errno.EPROTO;

  private static final int BUSNUM = 1;

  /** One exported device: its actor, the adapter that takes its answers, and the URBs in flight on it. */
  private final class Exported {
    final DeviceSpec.UsbModel spec;
    final String busid;
    final int devnum;
    ActorRef<UsbDeviceActor.Command> device;
    ActorRef<XhciActor.Command> adapter;
    boolean present;
    boolean linkUp = true;
    int configuration;
    int importer = -1;
    long nextSeq = 1;
    final Map<Long, Pending> inFlight = new LinkedHashMap<>();
    final List<FaultPlan.Event> waitingForUrbs = new ArrayList<>();

    Exported(DeviceSpec.UsbModel spec, int devnum) {
      this.spec = spec;
      this.busid = spec.port().toString();
      this.devnum = devnum;
      this.present = spec.present();
    }
  }

  /** A URB the device has not answered yet; {@code conn} -1 is the server's own enumeration. */
  private record Pending(int conn, int seqnum, int direction, int numberOfPackets, int length, byte[] setup) {}

  private final class Conn {
    final int id;
    Exported device;
    boolean closed;
    /** usbip seqnum -> device seq of the URBs in flight. */
    final Map<Integer, Long> bySeqnum = new LinkedHashMap<>();

    Conn(int id) {
      this.id = id;
    }
  }

  private final Scenario scenario;
  private final SimRun run;
  private final Output out;
  private final VirtualClock clock;
  private final Faults faults;
  private final TreeMap<String, Exported> devices = new TreeMap<>();
  private final Map<Integer, Conn> conns = new LinkedHashMap<>();

  ExportEngine(Scenario scenario, SimRun run, Output out) {
    this.scenario = scenario;
    this.run = run;
    this.out = out;
    this.clock = run.clock();
    this.faults = new Faults(run.random().fork("faults"), clock::now, out::log);
    scenario.faults().probabilities().forEach(faults::set);
    int devnum = 2; // the root hub is device 1 of the bus
    for (DeviceSpec d : scenario.devices()) {
      DeviceSpec.UsbModel m = d.usbModel();
      if (m != null) devices.put(m.port().toString(), new Exported(m, devnum++));
    }
  }

  /** The scenario's USB devices, by busid. */
  List<String> busids() {
    return List.copyOf(devices.keySet());
  }

  /** The root actor of the lane: spawns the devices, enumerates them as the server's kernel would, plays faults. */
  Behavior<Object> root() {
    return Behaviors.setup(ctx -> {
      for (Exported e : devices.values()) spawn(ctx, e);
      for (Exported e : devices.values()) {
        if (!e.present) e.device.tell(new UsbDeviceActor.SetPresent(false));
        else enumerate(e);
      }
      scheduleFaults();
      return Behaviors.ignore();
    });
  }

  private void spawn(ActorContext<Object> ctx, Exported e) {
    SimRandom random = run.random().fork("usb:" + e.busid);
    e.device = ctx.spawn(UsbDeviceActor.create(e.spec.port(), e.spec.model(), clock, () -> random, faults::inject),
        "usb-" + e.busid, DispatcherSelector.sameAsParent());
    e.adapter = ctx.spawn(Behaviors.receive(XhciActor.Command.class)
        .onMessage(XhciActor.UrbReturned.class, r -> {
          returned(e, r);
          return Behaviors.same();
        })
        .onMessage(XhciActor.UnlinkReturned.class, r -> Behaviors.same()) // answered when the unlink arrived
        .build(), "usbip-" + e.busid, DispatcherSelector.sameAsParent());
  }

  /**
   * What the server's own USB core does before usbip-host binds: SET_ADDRESS and SET_CONFIGURATION (the
   * configuration usb_choose_configuration picks, the only one). vhci-hcd never sends SET_ADDRESS over the wire.
   */
  private void enumerate(Exported e) {
    e.configuration = 0;
    internalControl(e, UsbSetup.REQ_SET_ADDRESS, e.devnum);
    int value = e.spec.model().configuration().desc().configurationValue();
    internalControl(e, UsbSetup.REQ_SET_CONFIGURATION, value);
    e.configuration = value;
  }

  private void internalControl(Exported e, int request, int value) {
    byte[] setup = {0x00, (byte) request, (byte) value, (byte) (value >> 8), 0, 0, 0, 0};
    long seq = e.nextSeq++;
    e.inFlight.put(seq, new Pending(-1, 0, UsbipProtocol.DIR_OUT, 0, 0, setup));
    e.device.tell(new UsbDeviceActor.UrbSubmit(e.spec.port().port(), seq, 0, 0, ByteString.copyFrom(setup),
        ByteString.EMPTY, e.adapter, null));
  }

  // ---- inputs ----

  void deliver(Input in) {
    if (in instanceof Open o) {
      conns.put(o.conn(), new Conn(o.conn()));
      return;
    }
    Conn c = conns.get(in.conn());
    if (c == null || c.closed) return;
    if (in instanceof Op op) {
      operation(c, op.bytes());
    } else if (in instanceof Urb u) {
      urb(c, u.bytes());
    } else if (in instanceof Eof) {
      close(c, "client closed the connection");
    } else if (in instanceof Bad b) {
      close(c, b.why());
    }
  }

  private void operation(Conn c, byte[] bytes) {
    OpCommon op = OpCommon.decode(Arrays.copyOf(bytes, UsbipProtocol.OP_COMMON_SIZE));
    if (op.code() == UsbipProtocol.OP_REQ_DEVLIST) {
      List<UsbipProtocol.UsbDevice> list = new ArrayList<>();
      for (Exported e : devices.values()) {
        if (e.present) list.add(describe(e));
      }
      out.send(c.id, UsbipProtocol.devlistReply(list));
      close(c, "devlist answered");
    } else if (op.code() == UsbipProtocol.OP_REQ_IMPORT) {
      String busid = UsbipProtocol.parseBusid(Arrays.copyOfRange(bytes, UsbipProtocol.OP_COMMON_SIZE, bytes.length));
      Exported e = devices.get(busid);
      if (e == null || !e.present || e.importer != -1) {
        out.log("usbip: import of " + busid + " refused: "
            + (e == null || !e.present ? "no such device" : "already imported by connection " + e.importer));
        out.send(c.id, UsbipProtocol.importReply(null));
        out.imported(c.id, false);
        close(c, "import refused");
        return;
      }
      e.importer = c.id;
      c.device = e;
      out.log("usbip: connection " + c.id + " imported " + busid);
      out.send(c.id, UsbipProtocol.importReply(describe(e)));
      out.imported(c.id, true);
    } else {
      close(c, "unknown operation 0x" + Integer.toHexString(op.code()));
    }
  }

  /** The device as usbip-host lists it: IDs and class triple from its descriptors, interfaces of its configuration. */
  private UsbipProtocol.UsbDevice describe(Exported e) {
    UsbDescriptors.DeviceDescriptor d = e.spec.model().deviceDescriptor();
    List<UsbipProtocol.UsbInterface> intfs = new ArrayList<>();
    for (UsbDescriptors.Interface i : e.spec.model().configuration().interfaces()) {
      if (i.desc().alternateSetting() != 0) continue;
      intfs.add(new UsbipProtocol.UsbInterface(i.desc().interfaceClass(), i.desc().interfaceSubClass(),
          i.desc().interfaceProtocol()));
    }
    return new UsbipProtocol.UsbDevice("/sys/devices/devemu/usb" + BUSNUM + "/" + e.busid, e.busid, BUSNUM, e.devnum,
        e.spec.model().speed().linuxValue(), d.idVendor(), d.idProduct(), d.bcdDevice(), d.deviceClass(),
        d.deviceSubClass(), d.deviceProtocol(), e.configuration, d.numConfigurations(), intfs);
  }

  private void urb(Conn c, byte[] bytes) {
    Exported e = c.device;
    if (e == null) {
      close(c, "URB before import");
      return;
    }
    Pdu pdu = UsbipProtocol.decode(Arrays.copyOf(bytes, UsbipProtocol.HEADER_SIZE),
        Arrays.copyOfRange(bytes, UsbipProtocol.HEADER_SIZE, bytes.length));
    if (pdu instanceof CmdSubmit s) submit(c, e, s);
    else if (pdu instanceof CmdUnlink u) unlink(c, e, u);
  }

  private void submit(Conn c, Exported e, CmdSubmit s) {
    int seqnum = s.basic().seqnum();
    if (c.bySeqnum.containsKey(seqnum)) {
      close(c, "seqnum " + seqnum + " is already in flight");
      return;
    }
    int packets = s.numberOfPackets() == -1 ? 0 : s.numberOfPackets();
    Pending p = new Pending(c.id, seqnum, s.basic().direction(), s.numberOfPackets(), s.transferBufferLength(),
        s.basic().ep() == 0 ? s.setup() : null);
    if (!e.linkUp) {
      answer(c, p, LINK_DOWN_STATUS, 0, null, packets);
      return;
    }
    long seq = e.nextSeq++;
    e.inFlight.put(seq, p);
    c.bySeqnum.put(seqnum, seq);
    int ep = s.basic().ep() & 0x0f;
    int endpoint = ep == 0 ? 0 : ep | (s.basic().direction() == UsbipProtocol.DIR_IN ? UsbDescriptors.ENDPOINT_DIR_IN : 0);
    ByteString setup = ep == 0 ? ByteString.copyFrom(s.setup()) : ByteString.EMPTY;
    // OUT data goes to the device: the setup stage's data on ep0, the payload on a data endpoint
    ByteString data = s.data().length > 0 ? ByteString.copyFrom(s.data()) : ByteString.EMPTY;
    e.device.tell(new UsbDeviceActor.UrbSubmit(e.spec.port().port(), seq, endpoint, s.transferBufferLength(), setup,
        data, e.adapter, null));
    if (!e.waitingForUrbs.isEmpty()) {
      List<FaultPlan.Event> due = new ArrayList<>();
      e.waitingForUrbs.removeIf(ev -> ev.atNanos() <= clock.now() && due.add(ev));
      for (FaultPlan.Event ev : due) apply(ev.action(), e, ev.restoreAfterNanos(), ev.params(), ev.line());
    }
  }

  /**
   * stub_recv_cmd_unlink: a URB still in flight is unlinked and answered -ECONNRESET in RET_UNLINK (never with a
   * RET_SUBMIT); a URB that already completed, or a seqnum the server never saw, gets RET_UNLINK 0.
   */
  private void unlink(Conn c, Exported e, CmdUnlink u) {
    Long seq = c.bySeqnum.remove(u.unlinkSeqnum());
    int status = 0;
    if (seq != null) {
      e.inFlight.remove(seq);
      e.device.tell(new UsbDeviceActor.UrbUnlink(e.spec.port().port(), seq, e.adapter));
      status = -Errno.ECONNRESET;
      out.released(c.id, 1);
    }
    out.send(c.id, new RetUnlink(new Basic(UsbipProtocol.RET_UNLINK, u.basic().seqnum(), 0, 0, 0), status).encode());
  }

  private void returned(Exported e, XhciActor.UrbReturned r) {
    Pending p = e.inFlight.remove(r.seq());
    if (p == null) return; // unlinked, or dropped when its connection or link went away
    if (p.conn() == -1) {
      if (r.status() != 0) out.log("usbip: " + e.busid + ": enumeration request failed with " + Errno.describe(r.status()));
      return;
    }
    Conn c = conns.get(p.conn());
    if (c == null || c.closed) return;
    c.bySeqnum.remove(p.seqnum());
    if (r.status() == 0 && p.setup() != null && p.setup()[1] == UsbSetup.REQ_SET_CONFIGURATION
        && (p.setup()[0] & 0x60) == 0) {
      e.configuration = p.setup()[2] & 0xff;
    }
    int packets = p.numberOfPackets() == -1 ? 0 : p.numberOfPackets();
    answer(c, p, r.status(), r.actualLength(), r.data().isEmpty() ? null : r.data().toByteArray(), packets);
  }

  /**
   * RET_SUBMIT as stub_tx.c builds it: devid, direction and ep 0 in the basic header; IN data of actual_length
   * bytes (what the model sent; zeros past what it gave, for a model that only counts lengths); iso descriptors
   * back for an isochronous URB.
   */
  private void answer(Conn c, Pending p, int status, int actual, byte[] controlData, int packets) {
    actual = Math.max(0, Math.min(actual, p.length()));
    byte[] data = new byte[0];
    if (p.direction() == UsbipProtocol.DIR_IN) {
      data = controlData != null ? Arrays.copyOf(controlData, actual) : new byte[actual];
    }
    List<IsoPacket> iso = new ArrayList<>();
    int errors = 0;
    if (packets > 0) {
      // No device model has isochronous endpoints yet: the device answered the URB as a whole; every packet
      // carries its status, and the bytes go to the first packets in order.
      int left = actual;
      int per = Math.max(1, p.length() / packets);
      for (int i = 0; i < packets; i++) {
        int got = Math.min(per, left);
        left -= got;
        iso.add(new IsoPacket(i * per, per, got, status));
        if (status != 0) errors++;
      }
    }
    RetSubmit ret = new RetSubmit(new Basic(UsbipProtocol.RET_SUBMIT, p.seqnum(), 0, 0, 0), status, actual, 0,
        p.numberOfPackets(), errors, data, iso);
    out.send(c.id, ret.encode());
    out.released(c.id, 1);
  }

  /** Ends a connection: its URBs are dropped at the device, its import released. */
  private void close(Conn c, String why) {
    if (c.closed) return;
    c.closed = true;
    Exported e = c.device;
    if (e != null) {
      for (Long seq : c.bySeqnum.values()) {
        if (e.inFlight.remove(seq) != null && e.present) {
          e.device.tell(new UsbDeviceActor.UrbUnlink(e.spec.port().port(), seq, e.adapter));
        }
      }
      out.released(c.id, c.bySeqnum.size());
      c.bySeqnum.clear();
      if (e.importer == c.id) e.importer = -1;
    }
    conns.remove(c.id);
    out.close(c.id, why);
  }

  // ---- the fault plan, in virtual time ----

  private void scheduleFaults() {
    for (FaultPlan.Event ev : scenario.faults().events()) {
      if (ev.action() == FaultPlan.Action.FAIL) {
        clock.schedule(Math.max(0, ev.atNanos() - clock.now()), "fault:fail",
            () -> faults.failNext(ev.params().point(), ev.params().count()));
        continue;
      }
      Exported e = ev.slot() == null ? null : devices.get(ev.slot());
      if (e == null) continue;
      if (ev.when() == Moments.Moment.WITH_URBS_IN_FLIGHT) {
        // the next URB submitted at or after atNanos triggers it
        e.waitingForUrbs.add(ev);
        continue;
      }
      clock.schedule(Math.max(0, ev.atNanos() - clock.now()), "fault:" + ev.action().word(),
          () -> apply(ev.action(), e, ev.restoreAfterNanos(), ev.params(), ev.line()));
    }
    int i = 0;
    for (FaultPlan.Recurring r : scenario.faults().recurring()) {
      Exported e = r.slot() == null ? null : devices.get(r.slot());
      if (e == null) continue;
      SimRandom random = run.random().fork("faults:recurring:" + i++);
      recur(r, e, random);
    }
  }

  private void recur(FaultPlan.Recurring r, Exported e, SimRandom random) {
    long delay = Math.max(1, (long) random.nextExponential(r.meanIntervalNanos()));
    clock.schedule(delay, "fault:" + r.action().word(), () -> {
      apply(r.action(), e, r.restoreAfterNanos(), r.params(), r.line());
      recur(r, e, random);
    });
  }

  private void apply(FaultPlan.Action action, Exported e, long restoreAfter, FaultPlan.Params params, int line) {
    out.log("usbip: fault plan (line " + line + "): " + action.word() + " " + e.busid + " at "
        + clock.now() / 1000 + " us");
    switch (action) {
      case UNPLUG, SURPRISE_UNPLUG -> unplug(e);
      case PLUG -> plug(e);
      case LINK_DOWN -> linkDown(e);
      case LINK_UP -> e.linkUp = true;
      default -> out.log("usbip: " + action.word() + " does not apply to a USB device; ignored");
    }
    FaultPlan.Action inverse = action.inverse();
    if (restoreAfter > 0 && inverse != null) {
      clock.schedule(restoreAfter, "fault:" + inverse.word(), () -> apply(inverse, e, 0, params, line));
    }
  }

  /**
   * As usbip-host does when its device goes away (stub_disconnect): the connection is shut down, so the
   * client's vhci port reports a disconnect; URBs in flight get no answer. The device leaves the list.
   */
  private void unplug(Exported e) {
    if (!e.present) return;
    if (e.importer != -1) {
      Conn c = conns.get(e.importer);
      if (c != null) close(c, "device " + e.busid + " unplugged");
    }
    e.inFlight.clear();
    e.present = false;
    e.linkUp = true;
    e.device.tell(new UsbDeviceActor.SetPresent(false));
  }

  private void plug(Exported e) {
    if (e.present) return;
    e.present = true;
    e.device.tell(new UsbDeviceActor.SetPresent(true));
    enumerate(e);
  }

  /** No handshakes on a dead link: URBs in flight end with a transaction error, new ones too until link-up. */
  private void linkDown(Exported e) {
    if (!e.present || !e.linkUp) return;
    e.linkUp = false;
    List<Map.Entry<Long, Pending>> failed = new ArrayList<>(e.inFlight.entrySet());
    e.inFlight.clear();
    for (Map.Entry<Long, Pending> f : failed) {
      e.device.tell(new UsbDeviceActor.UrbUnlink(e.spec.port().port(), f.getKey(), e.adapter));
      Pending p = f.getValue();
      if (p.conn() == -1) continue;
      Conn c = conns.get(p.conn());
      if (c == null || c.closed) continue;
      c.bySeqnum.remove(p.seqnum());
      answer(c, p, LINK_DOWN_STATUS, 0, null, p.numberOfPackets() == -1 ? 0 : p.numberOfPackets());
    }
  }
}
