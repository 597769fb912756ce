package dev.devemu.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.devemu.hw.machine.Cpu;
import dev.devemu.hw.machine.IrqChipActor;
import dev.devemu.hw.pci.PciDeviceActor;
import dev.devemu.hw.usb.UsbDeviceActor;
import dev.devemu.hw.usb.XhciActor;
import dev.devemu.kernel.CpuActor;
import dev.devemu.sim.Cause;
import dev.devemu.wire.Codec;
import dev.devemu.wire.CodecRegistry;
import dev.devemu.wire.DevemuSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * Figure 4: Protobuf round trips per CPU second of the hot messages through devemu's Pekko serializer (record →
 * bytes → record), against the bare generated Protobuf message (message → bytes → message) in the same process.
 */
final class SerializationBench {
  /** Round trips per second through the serializer and bare, for one message type. */
  record Result(String message, int bytes, double serializerPerSecond, double barePerSecond) {
    double ratio() {
      return serializerPerSecond / barePerSecond;
    }
  }

  private SerializationBench() {}

  /**
   * The hot messages: an interrupt (as the device sends it and as the CPU gets it), a DMA completion, and a bulk
   * URB on its way to the device and back (as the xHCI controller and a USB device exchange them, USB/IP-shaped;
   * bulk data is not carried, so these are their real sizes).
   */
  static List<Object> hotMessages(ExtendedActorSystem system) {
    Cause cause = Cause.root("0000:00:02.0", 1_000_000, "sample 17 ready (slot 1)")
        .then("0000:00:02.0", 1_000_000, "MSI vector 0").then("irqchip", 1, 1_000_000, "MSI vector 33 -> cpu1");
    Cause urbCause = Cause.root("cpu1", 2_000_000, "usb_submit_urb(ep 0x81, 512 bytes)")
        .then("xhci", 2_000_000, "doorbell slot 1 dci 3").then("xhci", 2_000_000, "TRB slot 1 dci 3 #41");
    ActorRef<XhciActor.Command> controller = Adapter.toTyped(system.deadLetters());
    return List.of(new IrqChipActor.MsiWrite(0xFEE01000L, 33, "0000:00:02.0", cause), new Cpu.IrqRaised(33, cause),
        new PciDeviceActor.DmaCompleted(4711, 0, 4096),
        new UsbDeviceActor.UrbSubmit(1, 41, 0x81, 512, ByteString.EMPTY, ByteString.EMPTY, controller, urbCause),
        new XhciActor.UrbReturned(1, 41, 0, 512, ByteString.EMPTY, urbCause));
  }

  static List<Result> run(ExtendedActorSystem system, List<Object> messages, long millisPerMeasure) throws Exception {
    DevemuSerializer serializer = new DevemuSerializer(system);
    List<Result> out = new ArrayList<>();
    for (Object m : messages) {
      String manifest = serializer.manifest(m);
      @SuppressWarnings({"unchecked", "rawtypes"})
      Codec<Object, Message> codec = (Codec) CodecRegistry.get().forType(m.getClass());
      Message proto = codec.parse(serializer.toBinary(m)); // the message's Protobuf form, for the bare baseline
      // warm up both paths, then measure each for the same wall time
      measure(() -> serializer.fromBinary(serializer.toBinary(m), manifest), millisPerMeasure / 2);
      measure(() -> codec.parse(proto.toByteArray()), millisPerMeasure / 2);
      double viaSerializer = measure(() -> serializer.fromBinary(serializer.toBinary(m), manifest), millisPerMeasure);
      double bare = measure(() -> codec.parse(proto.toByteArray()), millisPerMeasure);
      out.add(new Result(m.getClass().getSimpleName(), proto.getSerializedSize(), viaSerializer, bare));
    }
    return out;
  }

  interface Op {
    Object run() throws Exception;
  }

  /** Round trips per CPU second of this thread (like figure 1, robust to other processes on the machine). */
  private static double measure(Op op, long millis) throws Exception {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long deadline = System.nanoTime() + millis * 1_000_000L;
    long count = 0;
    long cpuStart = threads.getCurrentThreadCpuTime();
    Object sink = null;
    // at least one batch: on a loaded machine the thread can lose the whole (short) interval before its first check
    do {
      for (int i = 0; i < 256; i++) sink = op.run();
      count += 256;
    } while (System.nanoTime() < deadline);
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    if (sink == null) throw new IllegalStateException("nothing measured");
    return count / (Math.max(cpu, 1) / 1e9);
  }
}
