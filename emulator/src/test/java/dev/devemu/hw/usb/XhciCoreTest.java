package dev.devemu.hw.usb;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import dev.devemu.hw.usb.XhciCore.CommandKind;
import dev.devemu.hw.usb.XhciCore.EndpointState;
import dev.devemu.hw.usb.XhciCore.SlotState;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.uapi.Errno;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller's slot and endpoint state machines (xHCI 1.2 §4.5.3, §4.8.3), driven without actors. */
class XhciCoreTest {
  /** Records what the core asks its glue to do. */
  static final class Recorder implements XhciCore.Glue {
    final List<String> toDevice = new ArrayList<>();
    final List<XhciEvent> events = new ArrayList<>();
    final List<Object> timers = new ArrayList<>();

    @Override
    public void submitToDevice(int port, long seq, int endpoint, int length, ByteString setup, ByteString data,
        dev.devemu.sim.Cause cause) {
      toDevice.add("submit " + port + " #" + seq + " ep " + endpoint + (setup.isEmpty() ? "" : " setup"));
    }

    @Override
    public void unlinkAtDevice(int port, long seq) {
      toDevice.add("unlink " + port + " #" + seq);
    }

    @Override
    public void post(XhciEvent e) {
      events.add(e);
    }

    @Override
    public void schedule(long delayNanos, Object token) {
      timers.add(token);
    }

    @Override
    public void dmaRead(XhciCore.Td td) {}

    @Override
    public void dmaWrite(XhciCore.Td td, int length) {}

    XhciEvent last() {
      return events.get(events.size() - 1);
    }
  }

  static XhciCore.Td in(int slot, long submission) {
    return new XhciCore.Td(slot, 3, submission, 0x81, true, 4096, 0, ByteString.EMPTY, ByteString.EMPTY, null);
  }

  /** A slot for the device on port 2, addressed and configured with bulk 0x81 IN and 0x02 OUT. */
  static int configured(XhciCore core, Recorder g) {
    core.portConnection(2, true, UsbSpeed.SUPER_PLUS, null);
    core.command(CommandKind.ENABLE_SLOT, 1, 0, 2, 0, List.of(), null);
    int slot = ((XhciEvent.CommandCompletion) g.last()).slot();
    assertEquals(SlotState.ENABLED, core.slotState(slot));
    core.command(CommandKind.ADDRESS_DEVICE, 2, slot, 2, 0, List.of(), null);
    assertEquals(SlotState.DEFAULT, core.slotState(slot), "until the device acknowledges SET_ADDRESS");
    assertTrue(g.toDevice.get(g.toDevice.size() - 1).matches("submit 2 #-\\d+ ep 0 setup"), g.toDevice::toString);
    long seq = Long.parseLong(g.toDevice.get(g.toDevice.size() - 1).replaceAll(".*#(-\\d+).*", "$1"));
    core.returned(2, seq, 0, 0, ByteString.EMPTY, null);
    assertEquals(SlotState.ADDRESSED, core.slotState(slot));
    core.command(CommandKind.CONFIGURE_ENDPOINT, 3, slot, 2, 0, List.of(new XhciCore.EndpointContext(0x81, 2, 1024),
        new XhciCore.EndpointContext(0x02, 2, 1024)), null);
    assertEquals(SlotState.CONFIGURED, core.slotState(slot));
    assertEquals(EndpointState.RUNNING, core.endpointState(slot, 3));
    assertEquals(EndpointState.RUNNING, core.endpointState(slot, 4));
    return slot;
  }

  @Test
  void aSlotGoesFromEnabledToAddressedToConfiguredAndBackToDisabled() {
    Recorder g = new Recorder();
    XhciCore core = new XhciCore(g);
    int slot = configured(core, g);
    for (XhciEvent e : g.events) {
      if (e instanceof XhciEvent.CommandCompletion c) assertEquals(XhciCompletion.SUCCESS, c.code());
    }
    core.command(CommandKind.DISABLE_SLOT, 9, slot, 2, 0, List.of(), null);
    assertEquals(SlotState.DISABLED, core.slotState(slot));
    assertEquals(EndpointState.DISABLED, core.endpointState(slot, 3));
    core.command(CommandKind.ADDRESS_DEVICE, 10, slot, 2, 0, List.of(), null);
    assertEquals(XhciCompletion.SLOT_NOT_ENABLED, ((XhciEvent.CommandCompletion) g.last()).code());
  }

  @Test
  void aStallHaltsTheEndpointUntilResetEndpointAndQueuedTransfersWait() {
    Recorder g = new Recorder();
    XhciCore core = new XhciCore(g);
    int slot = configured(core, g);
    core.transfer(in(slot, 11));
    core.transfer(in(slot, 12));
    assertEquals("submit 2 #11 ep 129", g.toDevice.get(g.toDevice.size() - 1), "one TD at the device at a time");
    core.returned(2, 11, -Errno.EPIPE, 0, ByteString.EMPTY, null);
    assertEquals(XhciCompletion.STALL, ((XhciEvent.Transfer) g.last()).code());
    assertEquals(EndpointState.HALTED, core.endpointState(slot, 3));
    assertEquals("submit 2 #11 ep 129", g.toDevice.get(g.toDevice.size() - 1), "a halted ring does not advance");
    core.command(CommandKind.RESET_ENDPOINT, 20, slot, 2, 3, List.of(), null);
    assertEquals(XhciCompletion.SUCCESS, ((XhciEvent.CommandCompletion) g.events.get(g.events.size() - 1)).code());
    assertEquals("submit 2 #12 ep 129", g.toDevice.get(g.toDevice.size() - 1), "reset, then the next TD runs");
    assertEquals(EndpointState.RUNNING, core.endpointState(slot, 3));
    core.command(CommandKind.RESET_ENDPOINT, 21, slot, 2, 3, List.of(), null);
    assertEquals(XhciCompletion.CONTEXT_STATE_ERROR, ((XhciEvent.CommandCompletion) g.last()).code(),
        "only a halted endpoint can be reset");
  }

  @Test
  void cancellingStopsATdAtTheDeviceOrSkipsAQueuedOne() {
    Recorder g = new Recorder();
    XhciCore core = new XhciCore(g);
    int slot = configured(core, g);
    core.transfer(in(slot, 31));
    core.transfer(in(slot, 32));
    core.cancel(slot, 3, 32, null);
    assertEquals(XhciCompletion.STOPPED, ((XhciEvent.Transfer) g.last()).code());
    assertEquals(32, ((XhciEvent.Transfer) g.last()).submission());
    core.cancel(slot, 3, 31, null);
    assertEquals("unlink 2 #31", g.toDevice.get(g.toDevice.size() - 1));
    core.unlinkReturned(2, 31, -Errno.ECONNRESET);
    assertEquals(31, ((XhciEvent.Transfer) g.last()).submission());
    assertEquals(XhciCompletion.STOPPED, ((XhciEvent.Transfer) g.last()).code());
  }

  @Test
  void aPortThatLostItsDeviceEndsTransfersWithTransactionErrors() {
    Recorder g = new Recorder();
    XhciCore core = new XhciCore(g);
    int slot = configured(core, g);
    core.transfer(in(slot, 41));
    core.portConnection(2, false, UsbSpeed.SUPER_PLUS, null);
    assertInstanceOf(XhciEvent.PortStatusChange.class, g.last());
    assertEquals(1, g.timers.size(), "the retries of the transaction at the device run out");
    core.timer(g.timers.get(0));
    assertEquals(XhciCompletion.USB_TRANSACTION_ERROR, ((XhciEvent.Transfer) g.last()).code());
    assertEquals(-Errno.EPROTO, XhciCompletion.urbStatus(((XhciEvent.Transfer) g.last()).code()));
    core.returned(2, 41, 0, 4096, ByteString.EMPTY, null);
    assertInstanceOf(XhciEvent.Transfer.class, g.last());
    assertEquals(XhciCompletion.USB_TRANSACTION_ERROR, ((XhciEvent.Transfer) g.last()).code(), "a late answer is ignored");
  }
}
