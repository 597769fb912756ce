package dev.devemu.kernel.driver;

import dev.devemu.protocol.v1.ProbeCompleted;
import dev.devemu.protocol.v1.ProbeRequest;
import dev.devemu.protocol.v1.RemoveCompleted;
import dev.devemu.protocol.v1.RemoveRequest;
import dev.devemu.wire.Codec;
import dev.devemu.wire.WireCodecs;
import dev.devemu.wire.WireContext;
import java.util.function.Consumer;

/** Wire codecs of the driver life-cycle messages. */
public final class DriverCoreCodecs implements WireCodecs {
  @Override
  public void register(Consumer<Codec<?, ?>> r) {
    r.accept(Codec.of(DriverInstanceActor.ProbeRequest.class, "ProbeRequest", ProbeRequest::parseFrom,
        (m, c) -> ProbeRequest.newBuilder().setDevice(m.device()).setDriver(m.driver())
            .setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new DriverInstanceActor.ProbeRequest(p.getDevice(), p.getDriver(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(DriverInstanceActor.RemoveRequest.class, "RemoveRequest", RemoveRequest::parseFrom,
        (m, c) -> RemoveRequest.newBuilder().setDevice(m.device()).setCause(WireContext.cause(m.cause())).build(),
        (p, c) -> new DriverInstanceActor.RemoveRequest(p.getDevice(), WireContext.cause(p.getCause()))));
    r.accept(Codec.of(DriverInstanceActor.ProbeCompleted.class, "ProbeCompleted", ProbeCompleted::parseFrom,
        (m, c) -> ProbeCompleted.newBuilder().setDevice(m.device()).setDriver(m.driver()).setResult(m.result()).build(),
        (p, c) -> new DriverInstanceActor.ProbeCompleted(p.getDevice(), p.getDriver(), p.getResult())));
    r.accept(Codec.of(DriverInstanceActor.RemoveCompleted.class, "RemoveCompleted", RemoveCompleted::parseFrom,
        (m, c) -> RemoveCompleted.newBuilder().setDevice(m.device()).setDriver(m.driver()).build(),
        (p, c) -> new DriverInstanceActor.RemoveCompleted(p.getDevice(), p.getDriver())));
  }
}
