package dev.devemu.plugin.ipu6;

import dev.devemu.hw.device.camera.Ipu6IsysDevice;
import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.pci.PciFunction;
import dev.devemu.plugin.pci.PciBus;
import dev.devemu.scenario.DeviceKind;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.spec.pci.PciAddress;
import java.util.List;

/**
 * {@code type = ipu6-isys}: keys {@code slot} (PCI address), {@code present} (default true), {@code revision}
 * (default 1), {@code fps} (default 30), {@code width} (640), {@code height} (480), {@code bytes-per-pixel} (2),
 * {@code embedded-lines} (sensor metadata lines before the image, 0), {@code line-align} (bytes, a power of two,
 * 64). Its fault points are {@code ipu6_irq_lost}, {@code ipu6_fifo_overflow} and {@code ipu6_stop_lost}.
 */
public final class Ipu6IsysKind implements DeviceKind {
  @Override
  public String type() {
    return "ipu6-isys";
  }

  @Override
  public String description() {
    return "IPU6-style camera input system 8086:9a19: DMAs sensor frames into a ring of buffers, an MSI per frame "
        + "(ipu6_isys)";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    String slotText = node.string("slot");
    PciAddress address;
    try {
      address = PciAddress.parse(slotText);
    } catch (IllegalArgumentException e) {
      throw node.error("slot", e.getMessage());
    }
    boolean present = node.bool("present", true);
    int revision = (int) node.integer("revision", 1, 0, 255);
    double fps = node.number("fps", 30.0, 0.01, 10_000);
    int width = (int) node.integer("width", 640, 1, 16384);
    int height = (int) node.integer("height", 480, 1, 16384);
    int bpp = (int) node.integer("bytes-per-pixel", 2, 1, 8);
    int embedded = (int) node.integer("embedded-lines", 0, 0, 64);
    int align = (int) node.integer("line-align", 64, 1, 4096);
    if (Integer.bitCount(align) != 1) throw node.error("line-align", "must be a power of two, got " + align);
    Ipu6IsysDevice.Mode mode;
    try {
      mode = new Ipu6IsysDevice.Mode(width, height, bpp, embedded, align, fps);
    } catch (IllegalArgumentException e) {
      throw node.error("width", e.getMessage());
    }
    String slot = address.toString();
    return new DeviceSpec.Placed(Ipu6IsysKind.this.type(), slot, line) {
      @Override
      public java.util.Set<dev.devemu.fault.Moments.Moment> moments() {
        // a PCI device whose frames move by DMA and whose driver exposes /dev/video0
        java.util.Set<dev.devemu.fault.Moments.Moment> m = new java.util.TreeSet<>(super.moments());
        m.add(dev.devemu.fault.Moments.Moment.WITH_DMA_IN_FLIGHT);
        m.add(dev.devemu.fault.Moments.Moment.WHILE_OPEN);
        return m;
      }

      @Override
      public List<BindableDevice> enumerated() {
        return List.of(PciFunction.ofConfig(address, new Ipu6IsysDevice(revision, mode, null).config().snapshot()));
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PciBus.class).addDevice(address, new Ipu6IsysDevice(revision, mode,
            testbed.inOwnDomain(address.toString()) ? null : testbed.kernel().faults()), present);
      }
    };
  }
}
