package dev.devemu.hw;

import dev.devemu.protocol.v1.DeviceStall;
import dev.devemu.protocol.v1.HotPlug;
import dev.devemu.protocol.v1.HotUnplug;
import dev.devemu.protocol.v1.InterruptBurst;
import dev.devemu.protocol.v1.LinkChanged;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of fault-plan events: hot-plug, link changes, interrupt bursts, stalls. */
public final class BusCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(BusEvents.HotPlug.class, "HotPlug", HotPlug::parseFrom,
        (m, c) -> HotPlug.newBuilder().setSlot(m.slot()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new BusEvents.HotPlug(p.getSlot(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(BusEvents.HotUnplug.class, "HotUnplug", HotUnplug::parseFrom,
        (m, c) -> HotUnplug.newBuilder().setSlot(m.slot()).setSurprise(m.surprise())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new BusEvents.HotUnplug(p.getSlot(), p.getSurprise(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(BusEvents.LinkChanged.class, "LinkChanged", LinkChanged::parseFrom,
        (m, c) -> LinkChanged.newBuilder().setSlot(m.slot()).setUp(m.up()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new BusEvents.LinkChanged(p.getSlot(), p.getUp(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(BusEvents.InterruptBurst.class, "InterruptBurst", InterruptBurst::parseFrom,
        (m, c) -> InterruptBurst.newBuilder().setSlot(m.slot()).setCount(m.count()).setIntervalNs(m.intervalNanos())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new BusEvents.InterruptBurst(p.getSlot(), p.getCount(), p.getIntervalNs(),
            WireContext.cause(p.getCause()))));
    r.accept(Codec.of(BusEvents.DeviceStall.class, "DeviceStall", DeviceStall::parseFrom,
        (m, c) -> DeviceStall.newBuilder().setSlot(m.slot()).setStalled(m.stalled())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new BusEvents.DeviceStall(p.getSlot(), p.getStalled(), WireContext.cause(p.getCause()))));
  }
}
