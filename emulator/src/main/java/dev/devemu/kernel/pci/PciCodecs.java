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
    r.accept(Codec.of(PciDeviceActor.DmaCompleted.class, "DmaCompleted", DmaCompleted::parseFrom,
        (m, c) -> DmaCompleted.newBuilder().setTag(m.tag()).setStatus(m.status()).setLength(m.length()).build(),
        (p, c) -> new PciDeviceActor.DmaCompleted(p.getTag(), p.getStatus(), p.getLength())));
    r.accept(Codec.of(HostBridgeActor.DmaTransfer.class, "DmaTransfer", DmaTransfer::parseFrom,
        (m, c) -> DmaTransfer.newBuilder().setDevice(m.device()).setBusAddress(m.busAddress()).setLength(m.length())
            .setDirection(m.direction() == dev.devemu.spec.DmaDirection.TO_DEVICE ? DmaDirection.DMA_TO_DEVICE : DmaDirection.DMA_FROM_DEVICE)
            .setTag(m.tag()).setReplyTo(c.ref(m.replyTo())).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new HostBridgeActor.DmaTransfer(p.getDevice(), p.getBusAddress(), p.getLength(),
            p.getDirection() == DmaDirection.DMA_TO_DEVICE ? dev.devemu.spec.DmaDirection.TO_DEVICE
                : dev.devemu.spec.DmaDirection.FROM_DEVICE,
            p.getTag(), c.ref(p.getReplyTo()), WireContext.cause(p.getCause()))));
  }

  private static PciDeviceActor.Space space(Space s) {
    if (s == Space.UNRECOGNIZED) throw new IllegalArgumentException("unknown address space");
    return PciDeviceActor.Space.values()[s.getNumber()];
  }
}
