package dev.devemu.hw.usb;

import com.google.protobuf.ByteString;
import dev.devemu.sim.Cause;
import dev.devemu.spec.usb.UsbDescriptors;
import dev.devemu.spec.usb.UsbPort;
import dev.devemu.spec.usb.UsbSetup;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * The xHCI controller's logic, free of actor glue (as QEMU's {@code hcd-xhci.c} is free of PCI): root-hub ports,
 * device slots and their endpoint contexts, a transfer ring per endpoint, the command ring's commands, and the
 * events it writes. {@link XhciActor} hosts it and turns messages into these calls.
 *
 * <p>Slot states follow xHCI 1.2 §4.5.3 (Disabled/Enabled, Default, Addressed, Configured), endpoint states
 * §4.8.3 (Disabled, Running, Halted, Stopped). A bulk endpoint has one transfer descriptor at the device at a
 * time; a stall, babble or transaction error halts it until the driver's Reset Endpoint command. A port whose
 * device is gone answers nothing: its transfers end in USB Transaction Errors after the retries.
 */
public final class XhciCore {
  static final int MAX_SLOTS = 32;
  /** Three retries of a transaction nobody answers (xHCI retries a failed transaction up to three times). */
  static final long TRANSACTION_ERROR_NANOS = 3_000;

  public enum SlotState { DISABLED, ENABLED, DEFAULT, ADDRESSED, CONFIGURED }

  public enum EndpointState { DISABLED, RUNNING, HALTED, STOPPED }

  /** Commands of the command ring that this model implements. */
  public enum CommandKind { ENABLE_SLOT, ADDRESS_DEVICE, CONFIGURE_ENDPOINT, RESET_ENDPOINT, DISABLE_SLOT }

  /** An endpoint context as Configure Endpoint supplies it. */
  public record EndpointContext(int address, int type, int maxPacketSize) {}

  /** What the hosting actor provides. */
  interface Glue {
    /** Sends a transfer to the device on {@code port} (USB/IP's CMD_SUBMIT). */
    void submitToDevice(int port, long seq, int endpoint, int length, ByteString setup, ByteString data, Cause cause);

    /** Asks the device on {@code port} to drop a transfer (CMD_UNLINK). */
    void unlinkAtDevice(int port, long seq);

    /** Writes an event to the event ring and interrupts if needed. */
    void post(XhciEvent e);

    void schedule(long delayNanos, Object token);

    /** The controller reads an OUT transfer's buffer from memory (DMA). */
    void dmaRead(Td td);

    /** The controller writes {@code length} bytes of IN data into a transfer's buffer (DMA). */
    void dmaWrite(Td td, int length);
  }

  /** A transfer descriptor: one URB's submission. */
  static final class Td {
    final int slot;
    final int dci;
    final long submission;
    final int endpoint;
    final boolean in;
    final int length;
    final long buffer;
    final ByteString setup;
    final ByteString data;
    final Cause cause;
    boolean atDevice;
    boolean cancelled;

    Td(int slot, int dci, long submission, int endpoint, boolean in, int length, long buffer, ByteString setup,
        ByteString data, Cause cause) {
      this.slot = slot;
      this.dci = dci;
      this.submission = submission;
      this.endpoint = endpoint;
      this.in = in;
      this.length = length;
      this.buffer = buffer;
      this.setup = setup;
      this.data = data;
      this.cause = cause;
    }

    boolean control() {
      return !setup.isEmpty();
    }
  }

  static final class Endpoint {
    final int dci;
    EndpointState state = EndpointState.RUNNING;
    final ArrayDeque<Td> ring = new ArrayDeque<>(2);
    Td active;

    Endpoint(int dci) {
      this.dci = dci;
    }
  }

  static final class Slot {
    SlotState state = SlotState.DISABLED;
    int port;
    final Endpoint[] eps = new Endpoint[32];
  }

  static final class Port {
    boolean connected;
    UsbSpeed speed;
    int slot;
  }

  /** A SET_ADDRESS the controller itself sends for an Address Device command. */
  private record AddressRequest(long command, int slot, Cause cause) {}

  /** The transaction of a transfer to an absent device has failed its retries. */
  private record TransactionFailed(Td td) {}

  private final Glue glue;
  private final Port[] ports = new Port[UsbPort.PORTS + 1];
  private final Slot[] slots = new Slot[MAX_SLOTS + 1];
  private final java.util.TreeMap<Long, AddressRequest> addressing = new java.util.TreeMap<>();
  private long nextInternal = -1;

  XhciCore(Glue glue) {
    this.glue = glue;
    for (int i = 1; i <= UsbPort.PORTS; i++) ports[i] = new Port();
    for (int i = 1; i <= MAX_SLOTS; i++) slots[i] = new Slot();
  }

  // ---- ports ----

  void portConnection(int port, boolean connected, UsbSpeed speed, Cause cause) {
    Port p = ports[port];
    if (p.connected == connected) return;
    p.connected = connected;
    p.speed = connected ? speed : null;
    glue.post(new XhciEvent.PortStatusChange(port, connected, speed, cause));
    if (!connected && p.slot != 0) {
      // Transfers at the device get no answer any more.
      for (Endpoint ep : slots[p.slot].eps) {
        if (ep != null && ep.active != null && ep.active.atDevice) {
          ep.active.atDevice = false;
          glue.schedule(TRANSACTION_ERROR_NANOS, new TransactionFailed(ep.active));
        }
      }
      for (var e : addressing.entrySet()) {
        if (e.getValue().slot() != 0 && slots[e.getValue().slot()].port == port) {
          glue.schedule(TRANSACTION_ERROR_NANOS, e.getValue());
        }
      }
    }
  }

  boolean connected(int port) {
    return ports[port].connected;
  }

  // ---- commands ----

  void command(CommandKind kind, long command, int slot, int port, int dci, List<EndpointContext> endpoints,
      Cause cause) {
    switch (kind) {
      case ENABLE_SLOT -> enableSlot(command, cause);
      case ADDRESS_DEVICE -> addressDevice(command, slot, port, cause);
      case CONFIGURE_ENDPOINT -> configureEndpoints(command, slot, endpoints, cause);
      case RESET_ENDPOINT -> resetEndpoint(command, slot, dci, cause);
      case DISABLE_SLOT -> disableSlot(command, slot, cause);
    }
  }

  private void done(long command, int code, int slot, Cause cause) {
    glue.post(new XhciEvent.CommandCompletion(command, code, slot, cause));
  }

  private Slot slot(int id) {
    return id >= 1 && id <= MAX_SLOTS ? slots[id] : null;
  }

  private void enableSlot(long command, Cause cause) {
    for (int i = 1; i <= MAX_SLOTS; i++) {
      if (slots[i].state == SlotState.DISABLED) {
        slots[i].state = SlotState.ENABLED;
        done(command, XhciCompletion.SUCCESS, i, cause);
        return;
      }
    }
    done(command, XhciCompletion.NO_SLOTS_AVAILABLE, 0, cause);
  }

  private void addressDevice(long command, int id, int port, Cause cause) {
    Slot s = slot(id);
    if (s == null || (s.state != SlotState.ENABLED && s.state != SlotState.DEFAULT) || port < 1
        || port > UsbPort.PORTS) {
      done(command, s == null || s.state == SlotState.DISABLED ? XhciCompletion.SLOT_NOT_ENABLED
          : XhciCompletion.CONTEXT_STATE_ERROR, id, cause);
      return;
    }
    s.port = port;
    s.state = SlotState.DEFAULT;
    ports[port].slot = id;
    s.eps[1] = new Endpoint(1);
    long seq = nextInternal--;
    AddressRequest req = new AddressRequest(command, id, cause);
    addressing.put(seq, req);
    if (!ports[port].connected) {
      glue.schedule(TRANSACTION_ERROR_NANOS, req);
      return;
    }
    // The xHC sends SET_ADDRESS itself; software never does under xHCI. The address is the slot id.
    byte[] setup = UsbSetup.setAddress(id).toBytes();
    glue.submitToDevice(port, seq, 0, 0, ByteString.copyFrom(setup), ByteString.EMPTY, cause);
  }

  private void configureEndpoints(long command, int id, List<EndpointContext> endpoints, Cause cause) {
    Slot s = slot(id);
    if (s == null || (s.state != SlotState.ADDRESSED && s.state != SlotState.CONFIGURED)) {
      done(command, XhciCompletion.CONTEXT_STATE_ERROR, id, cause);
      return;
    }
    for (int dci = 2; dci < 32; dci++) s.eps[dci] = null;
    for (EndpointContext e : endpoints) {
      int number = e.address() & 0xf;
      boolean in = (e.address() & 0x80) != 0;
      int dci = e.type() == UsbDescriptors.ENDPOINT_XFER_CONTROL ? number * 2 + 1 : number * 2 + (in ? 1 : 0);
      s.eps[dci] = new Endpoint(dci);
    }
    s.state = endpoints.isEmpty() ? SlotState.ADDRESSED : SlotState.CONFIGURED;
    done(command, XhciCompletion.SUCCESS, id, cause);
  }

  private void resetEndpoint(long command, int id, int dci, Cause cause) {
    Slot s = slot(id);
    Endpoint ep = s == null || dci < 1 || dci > 31 ? null : s.eps[dci];
    if (ep == null || ep.state != EndpointState.HALTED) {
      done(command, XhciCompletion.CONTEXT_STATE_ERROR, id, cause);
      return;
    }
    ep.state = EndpointState.STOPPED;
    done(command, XhciCompletion.SUCCESS, id, cause);
    kick(s, ep);
  }

  private void disableSlot(long command, int id, Cause cause) {
    Slot s = slot(id);
    if (s == null || s.state == SlotState.DISABLED) {
      done(command, XhciCompletion.SLOT_NOT_ENABLED, id, cause);
      return;
    }
    for (int dci = 1; dci < 32; dci++) {
      Endpoint ep = s.eps[dci];
      if (ep != null && ep.active != null && ep.active.atDevice) glue.unlinkAtDevice(s.port, ep.active.submission);
      s.eps[dci] = null;
    }
    if (s.port != 0 && ports[s.port].slot == id) ports[s.port].slot = 0;
    s.port = 0;
    s.state = SlotState.DISABLED;
    done(command, XhciCompletion.SUCCESS, id, cause);
  }

  SlotState slotState(int id) {
    Slot s = slot(id);
    return s == null ? SlotState.DISABLED : s.state;
  }

  EndpointState endpointState(int id, int dci) {
    Slot s = slot(id);
    Endpoint ep = s == null ? null : s.eps[dci];
    return ep == null ? EndpointState.DISABLED : ep.state;
  }

  // ---- transfers ----

  void transfer(Td td) {
    Slot s = slot(td.slot);
    Endpoint ep = s == null || td.dci < 1 || td.dci > 31 ? null : s.eps[td.dci];
    if (ep == null || s.state == SlotState.DISABLED) {
      glue.post(new XhciEvent.Transfer(td.slot, td.dci, td.submission, XhciCompletion.ENDPOINT_NOT_ENABLED, 0, null,
          td.cause));
      return;
    }
    ep.ring.add(td);
    kick(s, ep);
  }

  /** Rings the endpoint's doorbell: starts the next TD if the endpoint may run and nothing is at the device. */
  private void kick(Slot s, Endpoint ep) {
    if (ep.active != null || ep.ring.isEmpty()) return;
    if (ep.state != EndpointState.RUNNING && ep.state != EndpointState.STOPPED) return;
    ep.state = EndpointState.RUNNING;
    Td td = ep.ring.poll();
    ep.active = td;
    if (!ports[s.port].connected) {
      glue.schedule(TRANSACTION_ERROR_NANOS, new TransactionFailed(td));
      return;
    }
    if (!td.in && !td.control() && td.length > 0) glue.dmaRead(td);
    td.atDevice = true;
    glue.submitToDevice(s.port, td.submission, td.endpoint, td.length, td.setup, td.data, td.cause);
  }

  /** The device answered a transfer (or the controller's own SET_ADDRESS). */
  void returned(int port, long seq, int status, int actual, ByteString data, Cause cause) {
    if (seq < 0) {
      AddressRequest req = addressing.remove(seq);
      if (req != null) addressed(req, status == 0 ? XhciCompletion.SUCCESS : XhciCompletion.USB_TRANSACTION_ERROR);
      return;
    }
    Td td = find(port, seq);
    if (td == null) return; // already completed, cancelled or failed: a late answer
    td.atDevice = false;
    complete(td, XhciCompletion.fromDeviceStatus(status, actual, td.length), actual, data, cause);
  }

  /** The device's answer to an unlink: -ECONNRESET when it dropped the transfer, 0 when it had answered already. */
  void unlinkReturned(int port, long seq, int status) {
    if (status != -Errno.ECONNRESET) return;
    Td td = find(port, seq);
    if (td != null) {
      td.atDevice = false;
      complete(td, XhciCompletion.STOPPED, 0, ByteString.EMPTY, td.cause);
    }
  }

  /** Stop Endpoint + Set TR Dequeue Pointer for one TD: what xhci_urb_dequeue asks for. */
  void cancel(int slotId, int dci, long submission, Cause cause) {
    Slot s = slot(slotId);
    Endpoint ep = s == null || dci < 1 || dci > 31 ? null : s.eps[dci];
    if (ep == null) return;
    if (ep.active != null && ep.active.submission == submission) {
      Td td = ep.active;
      td.cancelled = true;
      if (td.atDevice) glue.unlinkAtDevice(s.port, submission);
      // else a transaction-error timer is pending and will end it
      return;
    }
    for (Iterator<Td> it = ep.ring.iterator(); it.hasNext(); ) {
      Td td = it.next();
      if (td.submission == submission) {
        it.remove();
        glue.post(new XhciEvent.Transfer(td.slot, td.dci, td.submission, XhciCompletion.STOPPED, 0, null, cause));
        return;
      }
    }
  }

  void timer(Object token) {
    if (token instanceof TransactionFailed f) {
      Td td = f.td();
      Slot s = slot(td.slot);
      Endpoint ep = s == null ? null : s.eps[td.dci];
      if (ep != null && ep.active == td && !td.atDevice) {
        complete(td, XhciCompletion.USB_TRANSACTION_ERROR, 0, ByteString.EMPTY, td.cause);
      }
    } else if (token instanceof AddressRequest req) {
      for (var it = addressing.entrySet().iterator(); it.hasNext(); ) {
        if (it.next().getValue() == req) {
          it.remove();
          addressed(req, XhciCompletion.USB_TRANSACTION_ERROR);
          return;
        }
      }
    }
  }

  private void addressed(AddressRequest req, int code) {
    Slot s = slots[req.slot()];
    if (code == XhciCompletion.SUCCESS && s.state == SlotState.DEFAULT) s.state = SlotState.ADDRESSED;
    done(req.command(), code, req.slot(), req.cause());
  }

  private Td find(int port, long seq) {
    if (port < 1 || port > UsbPort.PORTS) return null;
    Slot s = slot(ports[port].slot);
    if (s == null) return null;
    for (Endpoint ep : s.eps) {
      if (ep != null && ep.active != null && ep.active.submission == seq) return ep.active;
    }
    return null;
  }

  private void complete(Td td, int code, int length, ByteString data, Cause cause) {
    Slot s = slots[td.slot];
    Endpoint ep = s.eps[td.dci];
    ep.active = null;
    if (td.cancelled && code != XhciCompletion.SUCCESS && code != XhciCompletion.SHORT_PACKET) {
      code = XhciCompletion.STOPPED;
    }
    if (td.in && !td.control() && length > 0) glue.dmaWrite(td, length);
    byte[] payload = td.control() && td.in && data != null && !data.isEmpty() ? data.toByteArray() : null;
    glue.post(new XhciEvent.Transfer(td.slot, td.dci, td.submission, code, length, payload, cause));
    if (XhciCompletion.halts(code)) ep.state = EndpointState.HALTED;
    else kick(s, ep);
  }
}
