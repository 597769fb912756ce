package dev.devemu.plugin.bugzoo;

import dev.devemu.kernel.Oops;
import java.util.List;

/**
 * One known bug of the zoo: a corrected sample driver with one realistic defect, the scenario that exercises it, and
 * how a report of it is recognised — by detector and function (the parts of a report that stay the same across
 * seeds), not by its full signature.
 *
 * @param id {@code <bus>/<defect>}, e.g. {@code pcie/teardown-order}
 * @param bus pcie, usb, char or camera
 * @param bugClass the kernel bug class, in a few words
 * @param description the defect, in one line
 * @param buggyDriver the {@code name} of the driver with the defect (a {@code DriverKind})
 * @param correctDriver the {@code name} of its corrected counterpart
 * @param scenario the scenario file, relative to the bug scenarios' folder ({@code scenarios/bugs})
 * @param detectors the detectors whose report is this bug
 * @param function a function name the report names (title or causal chain), or null for any
 */
public record KnownBug(String id, String bus, String bugClass, String description, String buggyDriver,
    String correctDriver, String scenario, List<String> detectors, String function) {

  /** Whether a report is this bug: one of its detectors, naming its function. */
  public boolean matches(Oops oops) {
    if (!detectors.contains(oops.detector())) return false;
    if (function == null) return true;
    if (oops.title().contains(function)) return true;
    for (String line : oops.body()) {
      if (line.contains(function)) return true;
    }
    return false;
  }
}
