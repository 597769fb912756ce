package dev.devemu.kernel.pci;

import dev.devemu.hw.pci.HostBridgeActor;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.kernel.dma.Dma;
import dev.devemu.protocol.v1.DmaCompleted;
import dev.devemu.protocol.v1.DmaDirection;
import dev.devemu.protocol.v1.DmaTransfer;
import dev.devemu.protocol.v1.MmioRead;
import dev.devemu.protocol.v1.MmioWrite;
import dev.devemu.protocol.v1.Space;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.devemu.wire.DirectCodec;
import java.io.IOException;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of MMIO and DMA messages. */
public final class PciCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(PciDeviceActor.MmioRead.class, "MmioRead", MmioRead::parseFrom,
        (m, c) -> MmioRead.newBuilder().setSpace(Space.forNumber(m.space().ordinal())).setOffset(m.offset())
            .setSize(m.size()).setPid(m.pid()).setEpisode(m.episode()).setReplyTo(c.ref(m.replyTo()))
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new PciDeviceActor.MmioRead(space(p.getSpace()), p.getOffset(), p.getSize(), p.getPid(),
            p.getEpisode(), c.ref(p.getReplyTo()), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(PciDeviceActor.MmioWrite.class, "MmioWrite", MmioWrite::parseFrom,
        (m, c) -> MmioWrite.newBuilder().setSpace(Space.forNumber(m.space().ordinal())).setOffset(m.offset())
            .setSize(m.size()).setValue(m.value()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new PciDeviceActor.MmioWrite(space(p.getSpace()), p.getOffset(), p.getSize(), p.getValue(),
            WireContext.cause(p.getCause()))));
    r.accept(new DirectDmaCompleted(Codec.of(PciDeviceActor.DmaCompleted.class, "DmaCompleted", DmaCompleted::parseFrom,
        (m, c) -> DmaCompleted.newBuilder().setTag(m.tag()).setStatus(m.status()).setLength(m.length()).build(),
        (p, c) -> new PciDeviceActor.DmaCompleted(p.getTag(), p.getStatus(), p.getLength()))));
    r.accept(Codec.of(HostBridgeActor.DmaTransfer.class, "DmaTransfer", DmaTransfer::parseFrom,
        (m, c) -> DmaTransfer.newBuilder().setDevice(m.device()).setBusAddress(m.busAddress()).setLength(m.length())
            .setDirection(m.direction() == dev.devemu.spec.DmaDirection.TO_DEVICE ? DmaDirection.DMA_TO_DEVICE : DmaDirection.DMA_FROM_DEVICE)
            .setTag(m.tag()).setReplyTo(c.ref(m.replyTo())).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new HostBridgeActor.DmaTransfer(p.getDevice(), p.getBusAddress(), p.getLength(),
            p.getDirection() == DmaDirection.DMA_TO_DEVICE ? dev.devemu.spec.DmaDirection.TO_DEVICE
                : dev.devemu.spec.DmaDirection.FROM_DEVICE,
            p.getTag(), c.ref(p.getReplyTo()), WireContext.cause(p.getCause()))));
    lifecycle(r);
  }

  /** Enumeration and presence: rare (once per slot, once per plug), so the generated path is enough. */
  private static void lifecycle(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(PciDeviceActor.Enumerate.class, "PciEnumerate", dev.devemu.protocol.v1.PciEnumerate::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.PciEnumerate.newBuilder().setReplyTo(c.ref(m.replyTo())).build(),
        (p, c) -> new PciDeviceActor.Enumerate(c.ref(p.getReplyTo()))));
    r.accept(Codec.of(PciDeviceActor.Enumerated.class, "PciEnumerated", dev.devemu.protocol.v1.PciEnumerated::parseFrom,
        (m, c) -> {
          var b = dev.devemu.protocol.v1.PciEnumerated.newBuilder().setAddress(m.address().toString())
              .setConfig(com.google.protobuf.ByteString.copyFrom(m.config()));
          for (long s : m.barSizes()) b.addBarSizes(s);
          return b.build();
        },
        (p, c) -> new PciDeviceActor.Enumerated(dev.devemu.spec.pci.PciAddress.parse(p.getAddress()),
            p.getConfig().toByteArray(), p.getBarSizesList().stream().mapToLong(Long::longValue).toArray())));
    r.accept(Codec.of(PciDeviceActor.SetPresent.class, "PciSetPresent", dev.devemu.protocol.v1.PciSetPresent::parseFrom,
        (m, c) -> dev.devemu.protocol.v1.PciSetPresent.newBuilder().setPresent(m.present()).setSurprise(m.surprise())
            .build(),
        (p, c) -> new PciDeviceActor.SetPresent(p.getPresent(), p.getSurprise())));
  }

  private static PciDeviceActor.Space space(Space s) {
    if (s == Space.UNRECOGNIZED) throw new IllegalArgumentException("unknown address space");
    return PciDeviceActor.Space.values()[s.getNumber()];
  }

  /** DmaCompleted (hw.proto) on the hot path: 1 tag, 2 status, 3 length. */
  private static final class DirectDmaCompleted extends DirectCodec<PciDeviceActor.DmaCompleted, DmaCompleted> {
    DirectDmaCompleted(Codec<PciDeviceActor.DmaCompleted, DmaCompleted> generated) {
      super(generated);
    }

    @Override
    protected int size(PciDeviceActor.DmaCompleted m, WireContext ctx) {
      int size = 0;
      if (m.tag() != 0) size += CodedOutputStream.computeUInt64Size(1, m.tag());
      if (m.status() != 0) size += CodedOutputStream.computeSInt32Size(2, m.status());
      if (m.length() != 0) size += CodedOutputStream.computeUInt32Size(3, m.length());
      return size;
    }

    @Override
    protected void write(PciDeviceActor.DmaCompleted m, CodedOutputStream out, WireContext ctx) throws IOException {
      if (m.tag() != 0) out.writeUInt64(1, m.tag());
      if (m.status() != 0) out.writeSInt32(2, m.status());
      if (m.length() != 0) out.writeUInt32(3, m.length());
    }

    @Override
    protected PciDeviceActor.DmaCompleted read(CodedInputStream in, WireContext ctx) throws IOException {
      long tag = 0;
      int status = 0;
      int length = 0;
      for (int t = in.readTag(); t != 0; t = in.readTag()) {
        switch (t) {
          case 1 << 3 -> tag = in.readUInt64();
          case 2 << 3 -> status = in.readSInt32();
          case 3 << 3 -> length = in.readUInt32();
          default -> skip(in, t);
        }
      }
      return new PciDeviceActor.DmaCompleted(tag, status, length);
    }
  }
}
