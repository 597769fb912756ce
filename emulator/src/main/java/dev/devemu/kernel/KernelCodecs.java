package dev.devemu.kernel;

import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.protocol.v1.IrqRaised;
import dev.devemu.protocol.v1.MmioReadCompleted;
import dev.devemu.protocol.v1.MsiWrite;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.devemu.wire.CauseWire;
import dev.devemu.wire.DirectCodec;
import java.io.IOException;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of the interrupt and CPU messages. */
public final class KernelCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(new DirectMsiWrite(Codec.of(IrqChipActor.MsiWrite.class, "MsiWrite", MsiWrite::parseFrom,
        (m, c) -> MsiWrite.newBuilder().setAddress(m.address()).setData(m.data()).setSource(m.source())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new IrqChipActor.MsiWrite(p.getAddress(), p.getData(), p.getSource(), WireContext.cause(p.getCause())))));
    r.accept(new DirectIrqRaised(Codec.of(Cpu.IrqRaised.class, "IrqRaised", IrqRaised::parseFrom,
        (m, c) -> IrqRaised.newBuilder().setVector(m.vector()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new Cpu.IrqRaised(p.getVector(), WireContext.cause(p.getCause())))));
    r.accept(Codec.of(Cpu.MmioReadCompleted.class, "MmioReadCompleted", MmioReadCompleted::parseFrom,
        (m, c) -> MmioReadCompleted.newBuilder().setPid(m.pid()).setEpisode(m.episode()).setValue(m.value())
            .setUnsupportedRequest(m.unsupportedRequest()).build(),
        (p, c) -> new Cpu.MmioReadCompleted(p.getPid(), p.getEpisode(), p.getValue(), p.getUnsupportedRequest())));
  }

  /** MsiWrite (hw.proto) on the hot path: 1 address, 2 data, 3 source, 4 cause. */
  private static final class DirectMsiWrite extends DirectCodec<IrqChipActor.MsiWrite, MsiWrite> {
    DirectMsiWrite(Codec<IrqChipActor.MsiWrite, MsiWrite> generated) {
      super(generated);
    }

    @Override
    protected int size(IrqChipActor.MsiWrite m, WireContext ctx) {
      int size = CauseWire.fieldSize(4, m.cause());
      if (m.address() != 0) size += CodedOutputStream.computeUInt64Size(1, m.address());
      if (m.data() != 0) size += CodedOutputStream.computeUInt32Size(2, m.data());
      if (!m.source().isEmpty()) size += CodedOutputStream.computeStringSize(3, m.source());
      return size;
    }

    @Override
    protected void write(IrqChipActor.MsiWrite m, CodedOutputStream out, WireContext ctx) throws IOException {
      if (m.address() != 0) out.writeUInt64(1, m.address());
      if (m.data() != 0) out.writeUInt32(2, m.data());
      if (!m.source().isEmpty()) out.writeString(3, m.source());
      CauseWire.writeField(out, 4, m.cause());
    }

    @Override
    protected IrqChipActor.MsiWrite read(CodedInputStream in, WireContext ctx) throws IOException {
      long address = 0;
      int data = 0;
      String source = "";
      dev.devemu.sim.Cause cause = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 1 << 3 -> address = in.readUInt64();
          case 2 << 3 -> data = in.readUInt32();
          case 3 << 3 | 2 -> source = in.readStringRequireUtf8();
          case 4 << 3 | 2 -> cause = CauseWire.read(in);
          default -> skip(in, tag);
        }
      }
      return new IrqChipActor.MsiWrite(address, data, source, cause);
    }
  }

  /** IrqRaised (hw.proto) on the hot path: 1 vector, 2 cause. */
  private static final class DirectIrqRaised extends DirectCodec<Cpu.IrqRaised, IrqRaised> {
    DirectIrqRaised(Codec<Cpu.IrqRaised, IrqRaised> generated) {
      super(generated);
    }

    @Override
    protected int size(Cpu.IrqRaised m, WireContext ctx) {
      int size = CauseWire.fieldSize(2, m.cause());
      if (m.vector() != 0) size += CodedOutputStream.computeUInt32Size(1, m.vector());
      return size;
    }

    @Override
    protected void write(Cpu.IrqRaised m, CodedOutputStream out, WireContext ctx) throws IOException {
      if (m.vector() != 0) out.writeUInt32(1, m.vector());
      CauseWire.writeField(out, 2, m.cause());
    }

    @Override
    protected Cpu.IrqRaised read(CodedInputStream in, WireContext ctx) throws IOException {
      int vector = 0;
      dev.devemu.sim.Cause cause = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 1 << 3 -> vector = in.readUInt32();
          case 2 << 3 | 2 -> cause = CauseWire.read(in);
          default -> skip(in, tag);
        }
      }
      return new Cpu.IrqRaised(vector, cause);
    }
  }
}
