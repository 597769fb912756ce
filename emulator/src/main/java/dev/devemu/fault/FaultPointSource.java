package dev.devemu.fault;

import java.util.Map;

/**
 * A part of the emulator that can be made to fail at named points ({@code kmalloc}, {@code usb_stall}, …) through a
 * scenario's {@code faults.probability}: a plug-in listed in {@code META-INF/services/dev.devemu.fault.FaultPointSource}.
 */
public interface FaultPointSource {
  /** Each point's name and what failing there means, for validation messages and docs. */
  Map<String, String> faultPoints();
}
