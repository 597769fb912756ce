package dev.devemu.hw.device.camera;

import dev.devemu.fault.FaultPointSource;
import java.util.LinkedHashMap;
import java.util.Map;

/** The IPU6 ISYS's fault points: lost interrupts, FIFO overflows, lost stream-stop commands. */
public final class Ipu6IsysFaultPoints implements FaultPointSource {
  @Override
  public Map<String, String> faultPoints() {
    Map<String, String> points = new LinkedHashMap<>();
    points.put(Ipu6IsysDevice.FAULT_IRQ_LOST, "the IPU6 ISYS does not signal the MSI of an event (the IRQ_STATUS "
        + "bits stay set until the next interrupt)");
    points.put(Ipu6IsysDevice.FAULT_FIFO_OVERFLOW, "the IPU6 ISYS input FIFO overflows during a frame: nothing is "
        + "written, the descriptor completes with an error");
    points.put(Ipu6IsysDevice.FAULT_STOP_LOST, "the IPU6 ISYS firmware drops a stream-stop command: the stream runs "
        + "on until a soft reset");
    return points;
  }
}
