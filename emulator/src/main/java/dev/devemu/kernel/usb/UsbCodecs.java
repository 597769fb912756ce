package dev.devemu.kernel.usb;

import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.hw.usb.XhciCore;
import dev.devemu.protocol.v1.UsbPortConnection;
import dev.devemu.protocol.v1.UsbPortStatusChanged;
import dev.devemu.protocol.v1.UsbUnlinkReturned;
import dev.devemu.protocol.v1.UsbUrbReturned;
import dev.devemu.protocol.v1.UsbUrbSubmit;
import dev.devemu.protocol.v1.UsbUrbUnlink;
import dev.devemu.protocol.v1.XhciCancelTransfer;
import dev.devemu.protocol.v1.XhciCommandKind;
import dev.devemu.protocol.v1.XhciEndpointContext;
import dev.devemu.protocol.v1.XhciHostCommand;
import dev.devemu.protocol.v1.XhciInterrupter;
import dev.devemu.protocol.v1.XhciTransferQueued;
import dev.devemu.spec.usb.UsbSpeed;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of the USB messages: kernel ↔ xHCI controller and controller ↔ device (USB/IP-shaped). */
public final class UsbCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(XhciActor.Interrupter.class, "XhciInterrupter", XhciInterrupter::parseFrom,
        (m, c) -> XhciInterrupter.newBuilder().setMsiAddress(m.msiAddress()).setMsiData(m.msiData())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.Interrupter(p.getMsiAddress(), p.getMsiData(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.TransferQueued.class, "XhciTransferQueued", XhciTransferQueued::parseFrom,
        (m, c) -> XhciTransferQueued.newBuilder().setSlot(m.slot()).setDci(m.dci()).setSubmission(m.submission())
            .setEndpoint(m.endpoint()).setDirectionIn(m.in()).setLength(m.length()).setBuffer(m.buffer())
            .setSetup(m.setup()).setData(m.data()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.TransferQueued(p.getSlot(), p.getDci(), p.getSubmission(), p.getEndpoint(),
            p.getDirectionIn(), p.getLength(), p.getBuffer(), p.getSetup(), p.getData(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.CancelTransfer.class, "XhciCancelTransfer", XhciCancelTransfer::parseFrom,
        (m, c) -> XhciCancelTransfer.newBuilder().setSlot(m.slot()).setDci(m.dci()).setSubmission(m.submission())
            .setStatus(m.status()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.CancelTransfer(p.getSlot(), p.getDci(), p.getSubmission(), p.getStatus(),
            WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.HostCommand.class, "XhciHostCommand", XhciHostCommand::parseFrom,
        (m, c) -> {
          var b = XhciHostCommand.newBuilder().setKindValue(m.kind().ordinal()).setCommand(m.command())
              .setSlot(m.slot()).setPort(m.port()).setDci(m.dci()).setCause(WireContext.cause(m.cause()));
          for (XhciCore.EndpointContext e : m.endpoints()) {
            b.addEndpoints(XhciEndpointContext.newBuilder().setAddress(e.address()).setType(e.type())
                .setMaxPacketSize(e.maxPacketSize()));
          }
          return b.build();
        },
        (p, c) -> new XhciActor.HostCommand(kind(p.getKind()), p.getCommand(), p.getSlot(), p.getPort(), p.getDci(),
            p.getEndpointsList().stream().map(e -> new XhciCore.EndpointContext(e.getAddress(), e.getType(),
                e.getMaxPacketSize())).toList(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.PortConnection.class, "UsbPortConnection", UsbPortConnection::parseFrom,
        (m, c) -> UsbPortConnection.newBuilder().setPort(m.port()).setConnected(m.connected())
            .setSpeedValue(m.speed().linuxValue()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.PortConnection(p.getPort(), p.getConnected(), speed(p.getSpeedValue()),
            WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.UrbReturned.class, "UsbUrbReturned", UsbUrbReturned::parseFrom,
        (m, c) -> UsbUrbReturned.newBuilder().setPort(m.port()).setSeq(m.seq()).setStatus(m.status())
            .setActualLength(m.actualLength()).setData(m.data()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.UrbReturned(p.getPort(), p.getSeq(), p.getStatus(), p.getActualLength(), p.getData(),
            WireContext.cause(p.getCause()))));
    r.accept(Codec.of(XhciActor.UnlinkReturned.class, "UsbUnlinkReturned", UsbUnlinkReturned::parseFrom,
        (m, c) -> UsbUnlinkReturned.newBuilder().setPort(m.port()).setSeq(m.seq()).setStatus(m.status()).build(),
        (p, c) -> new XhciActor.UnlinkReturned(p.getPort(), p.getSeq(), p.getStatus())));
    r.accept(Codec.of(UsbDeviceActor.UrbSubmit.class, "UsbUrbSubmit", UsbUrbSubmit::parseFrom,
        (m, c) -> UsbUrbSubmit.newBuilder().setPort(m.port()).setSeq(m.seq()).setEndpoint(m.endpoint())
            .setLength(m.length()).setSetup(m.setup()).setData(m.data()).setReplyTo(c.ref(m.replyTo()))
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new UsbDeviceActor.UrbSubmit(p.getPort(), p.getSeq(), p.getEndpoint(), p.getLength(), p.getSetup(),
            p.getData(), c.ref(p.getReplyTo()), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(UsbDeviceActor.UrbUnlink.class, "UsbUrbUnlink", UsbUrbUnlink::parseFrom,
        (m, c) -> UsbUrbUnlink.newBuilder().setPort(m.port()).setSeq(m.seq()).setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new UsbDeviceActor.UrbUnlink(p.getPort(), p.getSeq(), c.ref(p.getReplyTo()))));
    r.accept(Codec.of(UsbBusActor.PortStatusChanged.class, "UsbPortStatusChanged", UsbPortStatusChanged::parseFrom,
        (m, c) -> UsbPortStatusChanged.newBuilder().setPort(m.port()).setConnected(m.connected())
            .setSpeedValue(m.speed().linuxValue()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new UsbBusActor.PortStatusChanged(p.getPort(), p.getConnected(), speed(p.getSpeedValue()),
            WireContext.cause(p.getCause()))));
  }

  private static XhciCore.CommandKind kind(XhciCommandKind k) {
    if (k == XhciCommandKind.UNRECOGNIZED) throw new IllegalArgumentException("unknown xHCI command");
    return XhciCore.CommandKind.values()[k.getNumber()];
  }

  private static UsbSpeed speed(int linuxValue) {
    return UsbSpeed.fromLinux(linuxValue);
  }
}
