package dev.devemu.kernel.usb;

import com.google.protobuf.ByteString;
import dev.devemu.fault.Moments;
import dev.devemu.hw.HostBound;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.hw.usb.XhciCompletion;
import dev.devemu.hw.usb.XhciCore;
import dev.devemu.hw.usb.XhciEvent;
import dev.devemu.hw.usb.XhciEventRing;
import dev.devemu.kernel.Exec;
import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.Task;
import dev.devemu.kernel.detect.Detectors;
import dev.devemu.kernel.mem.Allocation;
import dev.devemu.kernel.mem.KernelMemory;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbDeviceState;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The host side of USB in the kernel: the HCD core ({@code drivers/usb/core/hcd.c}: submit, unlink, giveback,
 * endpoint flush, the kill wait queue) and the xhci driver beneath it ({@code drivers/usb/host/xhci*.c}: queueing
 * TDs and commands, the interrupt handler that drains the event ring). Core code runs with the calling task's
 * owner, so a driver's misuse is blamed on the driver; completion handlers run in the interrupt handler as the
 * URB owner's code.
 */
public final class UsbHcd {
  /** The controller's name in kernel messages (a platform xHCI, not on the emulated PCI bus). */
  public static final String NAME = "xhci-hcd xhci-hcd.0";
  /** USB_CTRL_GET_TIMEOUT / USB_CTRL_SET_TIMEOUT: 5 s. */
  public static final long CTRL_TIMEOUT_NANOS = 5_000_000_000L;

  private record Waiter(Task task, long episode, Urb urb) {}

  /** What a command's completion event said. */
  public record CommandResult(int code, int slot) {}

  private final Kernel kernel;
  private final KernelMemory mem;
  private final XhciEventRing ring;
  private ActorRef<XhciActor.Command> hc;
  private ActorRef<HostBound> hub;
  private int irq = -1;
  private boolean running;
  private boolean dying;
  private long nextSubmission = 1;
  private long nextCommand = 1;
  private int nextDevnum = 2;
  private boolean warnedActive;
  private boolean warnedBogusPipe;
  private final Map<Long, Urb> inFlight = new HashMap<>();
  private final TreeMap<Long, Waiter> commands = new TreeMap<>();
  private final List<Waiter> killWaiters = new ArrayList<>();
  private final Map<Integer, UsbDevice> bySlot = new TreeMap<>();
  private long givebacks;

  public UsbHcd(Kernel kernel, XhciEventRing ring) {
    this.kernel = kernel;
    this.mem = KernelMemory.of(kernel);
    this.ring = ring;
  }

  /** Wires the controller and the hub driver in (the testbed spawns them after the HCD object exists). */
  public void attach(ActorRef<XhciActor.Command> hc, ActorRef<HostBound> hub) {
    this.hc = hc;
    this.hub = hub;
  }

  public Kernel kernel() {
    return kernel;
  }

  /** HCD_RH_RUNNING. */
  public boolean running() {
    return running;
  }

  /** URBs the controller holds right now. */
  public int inFlightCount() {
    return inFlight.size();
  }

  /** URBs given back so far. */
  public long givebacks() {
    return givebacks;
  }

  // ---- start-up: usb_add_hcd + xhci_run ----

  /** Allocates the controller's interrupt, registers xhci_irq, programs interrupter 0 and starts the root hub. */
  public Op<Integer> start() {
    return Op.fn("usb_add_hcd", () -> Op.step("xhci_setup_msi", x -> kernel.irqs().allocate("xhci_hcd"))
        .then(n -> {
          if (n < 0) return Op.rc(n);
          irq = n;
          return Irqs.requestIrq(n, (i, dev) -> handleIrq(), "xhci_hcd", this);
        })
        .then(rc -> rc < 0 ? Op.rc(rc) : Op.step("xhci_run", x -> {
          hc.tell(new XhciActor.Interrupter(kernel.irqs().msiAddress(irq), kernel.irqs().msiData(irq),
              x.cause("enable interrupter 0")));
          running = true;
          kernel.printk(NAME + ": xHCI Host Controller");
          kernel.printk(NAME + ": new USB bus registered, assigned bus number 1");
          kernel.printk("usb usb1: New USB device found, idVendor=1d6b, idProduct=0003, bcdDevice= 6.10");
          kernel.printk("hub 1-0:1.0: USB hub found");
          kernel.printk("hub 1-0:1.0: " + UsbPort.PORTS + " ports detected");
          return 0;
        })));
  }

  // ---- URB submission: usb_hcd_submit_urb + xhci_urb_enqueue + usb_hcd_link_urb_to_ep ----

  /** Called from usb_submit_urb once its own checks passed; returns 0 or -errno. */
  int submit(Exec x, Urb urb, UsbDevice dev, UsbHostEndpoint ep) {
    mem.writeOnce(x, urb.kref, mem.readOnce(x, urb.kref) + 1); // usb_get_urb: the HCD's reference
    mem.writeOnce(x, urb.useCount, mem.readOnce(x, urb.useCount) + 1);
    int rc = enqueue(x, urb, dev, ep);
    if (rc != 0) {
      mem.writeOnce(x, urb.hcpriv, null);
      mem.writeOnce(x, urb.useCount, mem.readOnce(x, urb.useCount) - 1);
      if (mem.readOnce(x, urb.reject) > 0) wakeKillers();
      putUrb(x, urb);
    }
    return rc;
  }

  private int enqueue(Exec x, Urb urb, UsbDevice dev, UsbHostEndpoint ep) {
    if (dev.slotId() == 0) return -Errno.EINVAL; // xhci_check_args: an unaddressed device
    if (dying) return -Errno.ESHUTDOWN;
    // urb_priv = kzalloc(...): the TD list. Only driver submissions are made to fail, as failslab's
    // require-start scope would confine it; enumeration by the hub driver is spared.
    boolean driverCode = x.task().owner() != null && !x.task().owner().isKernel();
    if (driverCode && kernel.faults().inject("usb_submit_urb", dev.name())) return -Errno.ENOMEM;
    if (mem.readOnce(x, urb.reject) > 0) return -Errno.EPERM;
    if (!ep.enabled()) return -Errno.ENOENT;
    if (!running) return -Errno.ESHUTDOWN;
    mem.writeOnce(x, urb.unlinked, 0);
    ep.urbList.add(urb);
    long id = nextSubmission++;
    urb.submission = id;
    urb.submitted = Detectors.of(kernel).kcsan().release(x.task());
    inFlight.put(id, urb);
    mem.writeOnce(x, urb.hcpriv, ep);
    urb.inFlight = kernel.resources().acquire(x, "urb", () -> "in flight on " + dev.name() + " " + ep, false);
    if (driverCode) {
      urb.inFlightMoment = kernel.moments().slot(dev.name());
      urb.inFlightMoment.enter(Moments.Moment.WITH_URBS_IN_FLIGHT);
    }
    Allocation buffer = mem.readOnce(x, urb.transferBuffer);
    int length = mem.readOnce(x, urb.transferBufferLength);
    byte[] setup = mem.readOnce(x, urb.setupPacket);
    boolean control = setup != null;
    boolean in = control ? (setup[0] & UsbSetup.DIR_IN) != 0 : ep.desc().in();
    ByteString out = control && !in && urb.controlData != null ? ByteString.copyFrom(urb.controlData) : ByteString.EMPTY;
    hc.tell(new XhciActor.TransferQueued(dev.slotId(), ep.dci(), id, ep.desc().address(), in, length,
        buffer == null ? 0 : buffer.address(), control ? ByteString.copyFrom(setup) : ByteString.EMPTY, out,
        x.cause(() -> "usb_submit_urb #" + id + " " + dev.name() + " " + ep)));
    return 0;
  }

  // ---- unlink: usb_hcd_unlink_urb + xhci_urb_dequeue ----

  /** Returns -EINPROGRESS when the cancellation started, -EIDRM when the URB is not queued, -EBUSY if unlinked. */
  int unlink(Exec x, Urb urb, int status) {
    if (mem.readOnce(x, urb.useCount) <= 0) return -Errno.EIDRM;
    UsbHostEndpoint ep = mem.readOnce(x, urb.ep);
    // usb_hcd_check_unlink_urb
    if (ep == null || !ep.urbList.contains(urb)) return -Errno.EIDRM;
    if (mem.readOnce(x, urb.unlinked) != 0) return -Errno.EBUSY;
    mem.writeOnce(x, urb.unlinked, status);
    UsbDevice dev = mem.readOnce(x, urb.dev);
    long id = urb.submission;
    hc.tell(new XhciActor.CancelTransfer(dev.slotId(), ep.dci(), id, status,
        x.cause(() -> "cancel #" + id + " (" + Errno.describe(status) + ")")));
    return -Errno.EINPROGRESS;
  }

  /**
   * The wait of usb_kill_urb: true if the caller must sleep until the URB's completion handler has returned
   * ({@code use_count == 0}); the caller is then registered on the kill wait queue.
   */
  boolean mustWaitIdle(Exec x, Urb urb) {
    if (mem.readOnce(x, urb.useCount) == 0) return false;
    killWaiters.add(new Waiter(x.task(), x.task().waitEpisode() + 1, urb));
    return true;
  }

  private void wakeKillers() {
    for (Iterator<Waiter> it = killWaiters.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.urb().useCount.peek() == 0) {
        it.remove();
        kernel.wake(w.task(), w.episode(), null);
      }
    }
  }

  /** usb_put_urb: drops a reference; the last one frees the URB. */
  void putUrb(Exec x, Urb urb) {
    int refs = mem.readOnce(x, urb.kref) - 1;
    if (!urb.allocation().live()) return; // already reported as a use-after-free by the read above
    mem.writeOnce(x, urb.kref, refs);
    if (refs == 0) mem.free(x, urb.allocation());
  }

  // ---- endpoint flush: usb_hcd_flush_endpoint ----

  /**
   * Cancels every URB on {@code ep} with -ESHUTDOWN and sleeps until its queue is empty. The caller has made sure
   * no new URB can be queued (the endpoint is disabled, or the device is gone).
   */
  Op<Void> flushEndpoint(UsbHostEndpoint ep) {
    return Op.fn("usb_hcd_flush_endpoint", () -> Op.block("usb_hcd_flush_endpoint", x -> {
      kernel.bugs().mightSleep(x, "usb_hcd_flush_endpoint");
      List<Urb> queued = new ArrayList<>(ep.urbList);
      for (int i = queued.size() - 1; i >= 0; i--) {
        Urb u = queued.get(i);
        if (mem.readOnce(x, u.unlinked) == 0) unlink(x, u, -Errno.ESHUTDOWN);
      }
      if (ep.urbList.isEmpty()) return Op.Wait.ready(null);
      Task t = x.task();
      long episode = t.waitEpisode() + 1;
      ep.drainWaiters.add(() -> kernel.wake(t, episode, null));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "usb_hcd_flush_endpoint " + ep);
    }));
  }

  // ---- the interrupt handler: xhci_irq ----

  private Op<Irqs.IrqReturn> handleIrq() {
    return Op.fn("xhci_irq", () -> Op.step("xhci_irq", x -> {
      boolean pending = ring.interruptPending(); // IMAN.IP
      ring.interruptPending(false);              // write 1 to clear, then drain the ring
      return pending || !ring.isEmpty();
    }).then(mine -> !mine ? Op.pure(Irqs.IrqReturn.NONE)
        : Op.whileLoop(() -> !ring.isEmpty(), () -> handleEvent(ring.poll())).map(v -> Irqs.IrqReturn.HANDLED)));
  }

  private Op<Void> handleEvent(XhciEvent e) {
    if (e instanceof XhciEvent.Transfer t) return handleTransfer(t);
    if (e instanceof XhciEvent.CommandCompletion c) {
      return Op.step("handle_cmd_completion", x -> {
        Waiter w = commands.remove(c.command());
        if (w != null) kernel.wake(w.task(), w.episode(), new CommandResult(c.code(), c.slot()));
        return null;
      });
    }
    XhciEvent.PortStatusChange p = (XhciEvent.PortStatusChange) e;
    return Op.step("handle_port_status", x -> {
      // usb_hcd_poll_rh_status → the hub's status URB → hub_irq → kick hub_wq
      hub.tell(new UsbBusActor.PortStatusChanged(p.port(), p.connected(), p.speed() == null ? UsbSpeed.SUPER_PLUS
          : p.speed(), x.cause(() -> "port " + p.port() + (p.connected() ? " connect" : " disconnect"))));
      return null;
    });
  }

  private Op<Void> handleTransfer(XhciEvent.Transfer t) {
    return Op.defer(() -> {
      Urb urb = inFlight.remove(t.submission());
      if (urb == null) return Op.done(); // given back already (the controller died, or a stale event)
      if (XhciCompletion.halts(t.code())) {
        // xhci_handle_halted_endpoint: reset the host side of the endpoint so queued TDs can run again; the
        // device's own halt (after a STALL) stays until the driver's usb_clear_halt.
        UsbDevice dev = urb.dev.peek();
        hc.tell(new XhciActor.HostCommand(XhciCore.CommandKind.RESET_ENDPOINT, nextCommand++, dev.slotId(),
            dev.port().port(), t.dci(), List.of(), t.cause()));
      }
      return giveback(urb, XhciCompletion.urbStatus(t.code()), t.length(), t.data());
    });
  }

  /**
   * usb_hcd_giveback_urb: takes the URB off its endpoint, sets status (the unlink status wins) and length, calls
   * the completion handler as its driver's code, then drops the HCD's use and reference and wakes usb_kill_urb
   * and endpoint-flush waiters.
   */
  Op<Void> giveback(Urb urb, int status, int length, byte[] data) {
    givebacks++;
    UsbHostEndpoint[] epHolder = new UsbHostEndpoint[1];
    // taken now: the completion handler may resubmit, which starts a new submission with a new marker
    dev.devemu.kernel.Resources.Handle marker = urb.inFlight;
    urb.inFlight = null;
    if (urb.inFlightMoment != null) {
      urb.inFlightMoment.leave(Moments.Moment.WITH_URBS_IN_FLIGHT);
      urb.inFlightMoment = null;
    }
    return Op.fn("usb_hcd_giveback_urb", () -> Op.step("usb_hcd_giveback_urb", x -> {
      // the submission path's locking orders the submitter's earlier accesses before the completion handler
      Detectors.of(kernel).kcsan().acquire(urb.submitted, x.task());
      UsbHostEndpoint ep = mem.readOnce(x, urb.ep);
      epHolder[0] = ep;
      if (ep != null) ep.urbList.remove(urb);
      int st = mem.readOnce(x, urb.unlinked);
      if (st == 0) {
        st = status;
        mem.writeOnce(x, urb.unlinked, st);
      }
      mem.writeOnce(x, urb.hcpriv, null);
      if (data != null) urb.controlData = data;
      mem.writeOnce(x, urb.actualLength, length);
      mem.writeOnce(x, urb.status, st);
      return mem.readOnce(x, urb.complete);
    }).then(cb -> cb == null ? Op.<Void>done()
        : Op.asDriver(urb.owner, cb.name(), () -> cb.fn().apply(urb)))
        .then(ignored -> Op.step("usb_hcd_giveback_urb", x -> {
          mem.writeOnce(x, urb.useCount, mem.readOnce(x, urb.useCount) - 1);
          kernel.resources().release(marker);
          if (mem.readOnce(x, urb.reject) > 0 || !killWaiters.isEmpty()) wakeKillers();
          UsbHostEndpoint ep = epHolder[0];
          if (ep != null && ep.urbList.isEmpty() && !ep.drainWaiters.isEmpty()) {
            List<Runnable> waiting = new ArrayList<>(ep.drainWaiters);
            ep.drainWaiters.clear();
            waiting.forEach(Runnable::run);
          }
          putUrb(x, urb);
          return null;
        })));
  }

  // ---- commands ----

  /** Queues a command and sleeps until its completion event; the result is the event's code and slot. */
  Op<CommandResult> command(XhciCore.CommandKind kind, int slot, int port, int dci,
      List<XhciCore.EndpointContext> endpoints) {
    return Op.<CommandResult>block("xhci_queue_command", x -> {
      long id = nextCommand++;
      commands.put(id, new Waiter(x.task(), x.task().waitEpisode() + 1, null));
      hc.tell(new XhciActor.HostCommand(kind, id, slot, port, dci, endpoints,
          x.cause(() -> "xHCI command " + kind + " slot " + slot)));
      return Op.Wait.sleep(Op.WaitKind.UNINTERRUPTIBLE, "xhci command " + kind);
    }, (x, woke) -> (CommandResult) woke);
  }

  /** Enable Slot: a slot id for a new device, or -errno. */
  Op<Integer> enableSlot(UsbDevice dev) {
    return Op.fn("xhci_alloc_dev", () -> command(XhciCore.CommandKind.ENABLE_SLOT, 0, dev.port().port(), 0,
        List.of()).then(r -> Op.step("xhci_alloc_dev", x -> {
          if (r.code() != XhciCompletion.SUCCESS) {
            kernel.printk(NAME + ": Error while assigning device slot ID: " + XhciCompletion.name(r.code()));
            return XhciCompletion.commandErrno(r.code());
          }
          dev.slotId(r.slot());
          bySlot.put(r.slot(), dev);
          return r.slot();
        })));
  }

  /** Address Device: the controller sends SET_ADDRESS itself. */
  Op<Integer> addressDevice(UsbDevice dev) {
    return Op.fn("xhci_address_device", () -> command(XhciCore.CommandKind.ADDRESS_DEVICE, dev.slotId(),
        dev.port().port(), 0, List.of()).then(r -> Op.step("xhci_address_device", x -> {
          if (r.code() != XhciCompletion.SUCCESS) {
            kernel.printk(NAME + ": Setup ERROR: address device command for slot " + dev.slotId() + ": "
                + XhciCompletion.name(r.code()));
            return XhciCompletion.commandErrno(r.code());
          }
          dev.devnum(nextDevnum++);
          dev.state(UsbDeviceState.ADDRESS);
          return 0;
        })));
  }

  /** Configure Endpoint (usb_hcd_alloc_bandwidth): endpoint contexts for every endpoint of the configuration. */
  Op<Integer> configureEndpoints(UsbDevice dev, UsbDescriptors.Configuration config) {
    List<XhciCore.EndpointContext> eps = new ArrayList<>();
    for (UsbDescriptors.Interface i : config.interfaces()) {
      if (i.desc().alternateSetting() != 0) continue;
      for (UsbDescriptors.Endpoint e : i.endpoints()) {
        eps.add(new XhciCore.EndpointContext(e.desc().address(), e.desc().type(), e.desc().maxp()));
      }
    }
    return Op.fn("xhci_check_bandwidth", () -> command(XhciCore.CommandKind.CONFIGURE_ENDPOINT, dev.slotId(),
        dev.port().port(), 0, eps).map(r -> XhciCompletion.commandErrno(r.code())));
  }

  /** Disable Slot (xhci_free_dev). */
  Op<Void> disableSlot(UsbDevice dev) {
    if (dev.slotId() == 0) return Op.done();
    return Op.fn("xhci_free_dev", () -> command(XhciCore.CommandKind.DISABLE_SLOT, dev.slotId(), dev.port().port(),
        0, List.of()).then(r -> Op.step("xhci_free_dev", x -> {
          bySlot.remove(dev.slotId());
          dev.slotId(0);
          return null;
        })));
  }

  /** Reset Endpoint, as usb_clear_halt's usb_reset_endpoint asks for (the host side of a halted endpoint). */
  void resetEndpointAsync(Exec x, UsbDevice dev, UsbHostEndpoint ep) {
    hc.tell(new XhciActor.HostCommand(XhciCore.CommandKind.RESET_ENDPOINT, nextCommand++, dev.slotId(),
        dev.port().port(), ep.dci(), List.of(), x.cause("reset endpoint " + ep)));
  }

  // ---- the controller dies: xhci_hc_died + usb_hc_died ----

  /**
   * The controller stopped responding: new submissions fail with -ESHUTDOWN, every URB it held is given back
   * with -ESHUTDOWN, and the hub driver disconnects every device.
   */
  public Op<Void> hcDied() {
    return Op.fn("usb_hc_died", () -> Op.step("xhci_hc_died", x -> {
      dying = true;
      running = false;
      kernel.printk(NAME + ": xHCI host controller not responding, assume dead");
      kernel.printk(NAME + ": HC died; cleaning up");
      return new ArrayList<>(new TreeMap<>(inFlight).values());
    }).then(urbs -> Op.forEach(urbs, u -> Op.defer(() -> {
      if (inFlight.remove(u.submission) == null) return Op.done();
      return giveback(u, -Errno.ESHUTDOWN, 0, null);
    }))).then(v -> Op.step("usb_hc_died", x -> {
      for (UsbDevice d : bySlot.values()) {
        hub.tell(new UsbBusActor.PortStatusChanged(d.port().port(), false, d.speed(), x.cause("HC died")));
      }
      return null;
    })));
  }

  boolean warnActiveOnce() {
    boolean first = !warnedActive;
    warnedActive = true;
    return first;
  }

  boolean warnBogusPipeOnce() {
    boolean first = !warnedBogusPipe;
    warnedBogusPipe = true;
    return first;
  }
}
