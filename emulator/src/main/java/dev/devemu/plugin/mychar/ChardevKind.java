package dev.devemu.plugin.mychar;

import dev.devemu.kernel.driver.BindableDevice;
import dev.devemu.kernel.platform.PlatformDevice;
import dev.devemu.plugin.platform.PlatformBus;
import dev.devemu.scenario.DeviceKind;
import dev.devemu.scenario.DeviceSpec;
import dev.devemu.scenario.FaultPlan;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import java.util.List;

/**
 * {@code type = chardev}: the device of a char-device module such as the article's {@code my_char}, modelled as
 * a platform device matched to its driver by {@code name}. Binding it runs the driver's init, which registers the
 * {@code /dev} node; a fault plan's {@code unplug} unbinds it (the driver's exit/remove unregisters the node while
 * files opened earlier stay open, as in Linux) and {@code plug} binds it again. Keys: {@code name} (required; also
 * its slot in the fault plan) and {@code present} (default true).
 */
public final class ChardevKind implements DeviceKind {
  @Override
  public String type() {
    return "chardev";
  }

  @Override
  public String description() {
    return "the platform device a char-device module (my_char) binds to by name; unplug = unbind";
  }

  @Override
  public DeviceSpec parse(ScenarioNode node, int line) {
    String name = node.string("name");
    if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")) {
      throw node.error("name", "must be a device name such as my_char (letters, digits, _ . -), got \"" + name + "\"");
    }
    boolean present = node.bool("present", true);
    return new DeviceSpec.Placed(ChardevKind.this.type(), name, line) {
      @Override
      public boolean supports(FaultPlan.Action action) {
        return action == FaultPlan.Action.PLUG || action == FaultPlan.Action.UNPLUG;
      }

      @Override
      public java.util.Set<dev.devemu.fault.Moments.Moment> moments() {
        // no interrupts, no DMA: only the driver's life cycle and its open files
        return java.util.EnumSet.of(dev.devemu.fault.Moments.Moment.DURING_PROBE,
            dev.devemu.fault.Moments.Moment.AFTER_BIND, dev.devemu.fault.Moments.Moment.DURING_REMOVE,
            dev.devemu.fault.Moments.Moment.WHILE_OPEN);
      }

      @Override
      public List<BindableDevice> enumerated() {
        return List.of(new PlatformDevice(name));
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.bus(PlatformBus.class).addDevice(name, present);
      }
    };
  }
}
