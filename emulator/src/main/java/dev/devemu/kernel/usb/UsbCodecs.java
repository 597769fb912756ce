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
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.devemu.wire.CauseWire;
import dev.devemu.wire.DirectCodec;
import java.io.IOException;
import com.google.protobuf.ByteString;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of the USB messages: kernel ↔ xHCI controller and controller ↔ device (USB/IP-shaped). */
public final class UsbCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(UsbDeviceActor.SetPresent.class, "UsbSetPresent", dev.devemu.protocol.v1.UsbSetPresent::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.UsbSetPresent.newBuilder().setPresent(m.present()).build(),
        (p, c) -> new UsbDeviceActor.SetPresent(p.getPresent())));
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
    r.accept(new DirectUrbReturned(Codec.of(XhciActor.UrbReturned.class, "UsbUrbReturned", UsbUrbReturned::parseFrom,
        (m, c) -> UsbUrbReturned.newBuilder().setPort(m.port()).setSeq(m.seq()).setStatus(m.status())
            .setActualLength(m.actualLength()).setData(m.data()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new XhciActor.UrbReturned(p.getPort(), p.getSeq(), p.getStatus(), p.getActualLength(), p.getData(),
            WireContext.cause(p.getCause())))));
    r.accept(Codec.of(XhciActor.UnlinkReturned.class, "UsbUnlinkReturned", UsbUnlinkReturned::parseFrom,
        (m, c) -> UsbUnlinkReturned.newBuilder().setPort(m.port()).setSeq(m.seq()).setStatus(m.status()).build(),
        (p, c) -> new XhciActor.UnlinkReturned(p.getPort(), p.getSeq(), p.getStatus())));
    r.accept(new DirectUrbSubmit(Codec.of(UsbDeviceActor.UrbSubmit.class, "UsbUrbSubmit", UsbUrbSubmit::parseFrom,
        (m, c) -> UsbUrbSubmit.newBuilder().setPort(m.port()).setSeq(m.seq()).setEndpoint(m.endpoint())
            .setLength(m.length()).setSetup(m.setup()).setData(m.data()).setReplyTo(c.ref(m.replyTo()))
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new UsbDeviceActor.UrbSubmit(p.getPort(), p.getSeq(), p.getEndpoint(), p.getLength(), p.getSetup(),
            p.getData(), c.ref(p.getReplyTo()), WireContext.cause(p.getCause())))));
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

  /** UsbUrbReturned (usb.proto) on the hot path: 1 port, 2 seq, 3 status, 4 actual_length, 5 data, 6 cause. */
  private static final class DirectUrbReturned extends DirectCodec<XhciActor.UrbReturned, UsbUrbReturned> {
    DirectUrbReturned(Codec<XhciActor.UrbReturned, UsbUrbReturned> generated) {
      super(generated);
    }

    @Override
    protected int size(XhciActor.UrbReturned m, WireContext ctx) {
      int size = CauseWire.fieldSize(6, m.cause());
      if (m.port() != 0) size += CodedOutputStream.computeUInt32Size(1, m.port());
      if (m.seq() != 0) size += CodedOutputStream.computeSInt64Size(2, m.seq());
      if (m.status() != 0) size += CodedOutputStream.computeSInt32Size(3, m.status());
      if (m.actualLength() != 0) size += CodedOutputStream.computeUInt32Size(4, m.actualLength());
      if (!m.data().isEmpty()) size += CodedOutputStream.computeBytesSize(5, m.data());
      return size;
    }

    @Override
    protected void write(XhciActor.UrbReturned m, CodedOutputStream out, WireContext ctx) throws IOException {
      if (m.port() != 0) out.writeUInt32(1, m.port());
      if (m.seq() != 0) out.writeSInt64(2, m.seq());
      if (m.status() != 0) out.writeSInt32(3, m.status());
      if (m.actualLength() != 0) out.writeUInt32(4, m.actualLength());
      if (!m.data().isEmpty()) out.writeBytes(5, m.data());
      CauseWire.writeField(out, 6, m.cause());
    }

    @Override
    protected XhciActor.UrbReturned read(CodedInputStream in, WireContext ctx) throws IOException {
      int port = 0;
      long seq = 0;
      int status = 0;
      int actual = 0;
      ByteString data = ByteString.EMPTY;
      dev.devemu.sim.Cause cause = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 1 << 3 -> port = in.readUInt32();
          case 2 << 3 -> seq = in.readSInt64();
          case 3 << 3 -> status = in.readSInt32();
          case 4 << 3 -> actual = in.readUInt32();
          case 5 << 3 | 2 -> data = in.readBytes();
          case 6 << 3 | 2 -> cause = CauseWire.read(in);
          default -> skip(in, tag);
        }
      }
      return new XhciActor.UrbReturned(port, seq, status, actual, data, cause);
    }
  }

  /**
   * UsbUrbSubmit (usb.proto) on the hot path: 1 port, 2 seq, 3 endpoint, 4 length, 5 setup, 6 data, 7 reply_to,
   * 8 cause.
   */
  private static final class DirectUrbSubmit extends DirectCodec<UsbDeviceActor.UrbSubmit, UsbUrbSubmit> {
    DirectUrbSubmit(Codec<UsbDeviceActor.UrbSubmit, UsbUrbSubmit> generated) {
      super(generated);
    }

    @Override
    protected int size(UsbDeviceActor.UrbSubmit m, WireContext ctx) {
      int size = CauseWire.fieldSize(8, m.cause());
      if (m.port() != 0) size += CodedOutputStream.computeUInt32Size(1, m.port());
      if (m.seq() != 0) size += CodedOutputStream.computeSInt64Size(2, m.seq());
      if (m.endpoint() != 0) size += CodedOutputStream.computeUInt32Size(3, m.endpoint());
      if (m.length() != 0) size += CodedOutputStream.computeUInt32Size(4, m.length());
      if (!m.setup().isEmpty()) size += CodedOutputStream.computeBytesSize(5, m.setup());
      if (!m.data().isEmpty()) size += CodedOutputStream.computeBytesSize(6, m.data());
      String replyTo = ctx.ref(m.replyTo());
      if (!replyTo.isEmpty()) size += CodedOutputStream.computeStringSize(7, replyTo);
      return size;
    }

    @Override
    protected void write(UsbDeviceActor.UrbSubmit m, CodedOutputStream out, WireContext ctx) throws IOException {
      if (m.port() != 0) out.writeUInt32(1, m.port());
      if (m.seq() != 0) out.writeSInt64(2, m.seq());
      if (m.endpoint() != 0) out.writeUInt32(3, m.endpoint());
      if (m.length() != 0) out.writeUInt32(4, m.length());
      if (!m.setup().isEmpty()) out.writeBytes(5, m.setup());
      if (!m.data().isEmpty()) out.writeBytes(6, m.data());
      String replyTo = ctx.ref(m.replyTo());
      if (!replyTo.isEmpty()) out.writeString(7, replyTo);
      CauseWire.writeField(out, 8, m.cause());
    }

    @Override
    protected UsbDeviceActor.UrbSubmit read(CodedInputStream in, WireContext ctx) throws IOException {
      int port = 0;
      long seq = 0;
      int endpoint = 0;
      int length = 0;
      ByteString setup = ByteString.EMPTY;
      ByteString data = ByteString.EMPTY;
      String replyTo = "";
      dev.devemu.sim.Cause cause = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 1 << 3 -> port = in.readUInt32();
          case 2 << 3 -> seq = in.readSInt64();
          case 3 << 3 -> endpoint = in.readUInt32();
          case 4 << 3 -> length = in.readUInt32();
          case 5 << 3 | 2 -> setup = in.readBytes();
          case 6 << 3 | 2 -> data = in.readBytes();
          case 7 << 3 | 2 -> replyTo = in.readStringRequireUtf8();
          case 8 << 3 | 2 -> cause = CauseWire.read(in);
          default -> skip(in, tag);
        }
      }
      return new UsbDeviceActor.UrbSubmit(port, seq, endpoint, length, setup, data, ctx.ref(replyTo), cause);
    }
  }
}
