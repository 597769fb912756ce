package dev.devemu.kernel;

import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.protocol.v1.IrqRaised;
import dev.devemu.protocol.v1.MmioReadCompleted;
import dev.devemu.protocol.v1.MsiWrite;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of the interrupt and CPU messages. */
public final class KernelCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(IrqChipActor.MsiWrite.class, "MsiWrite", MsiWrite::parseFrom,
        (m, c) -> MsiWrite.newBuilder().setAddress(m.address()).setData(m.data()).setSource(m.source())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new IrqChipActor.MsiWrite(p.getAddress(), p.getData(), p.getSource(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(Cpu.IrqRaised.class, "IrqRaised", IrqRaised::parseFrom,
        (m, c) -> IrqRaised.newBuilder().setVector(m.vector()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new Cpu.IrqRaised(p.getVector(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(Cpu.MmioReadCompleted.class, "MmioReadCompleted", MmioReadCompleted::parseFrom,
        (m, c) -> MmioReadCompleted.newBuilder().setPid(m.pid()).setEpisode(m.episode()).setValue(m.value())
            .setUnsupportedRequest(m.unsupportedRequest()).build(),
        (p, c) -> new Cpu.MmioReadCompleted(p.getPid(), p.getEpisode(), p.getValue(), p.getUnsupportedRequest())));
  }
}
