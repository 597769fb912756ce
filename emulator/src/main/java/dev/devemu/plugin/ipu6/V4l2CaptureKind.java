package dev.devemu.plugin.ipu6;

import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadKind;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.VirtualClock;
import dev.devemu.userspace.v4l2.V4l2CaptureProgram;

/**
 * {@code kind = v4l2-capture}: keys {@code device} (default /dev/video0), {@code buffers} (1..32, default 4),
 * {@code frames} per session (default 60), {@code sessions} (default 1), {@code nonblocking} (default false),
 * {@code frame-work} (user time per frame, default 0), {@code pause} between sessions (10ms), {@code poll}
 * interval after -EAGAIN (2ms), {@code release-buffers} (REQBUFS 0 before close, default true), {@code start}
 * (default 1ms) and {@code processes} (identical programs, default 1).
 */
public final class V4l2CaptureKind implements WorkloadKind {
  @Override
  public String kind() {
    return "v4l2-capture";
  }

  @Override
  public String description() {
    return "user-space V4L2 streaming capture: REQBUFS, QBUF, STREAMON, DQBUF/QBUF loop, STREAMOFF, close";
  }

  @Override
  public WorkloadSpec parse(ScenarioNode node, int line) {
    String device = node.string("device", "/dev/video0");
    if (!device.startsWith("/dev/")) throw node.error("device", "must be a device node under /dev, got " + device);
    V4l2CaptureProgram.Config d = V4l2CaptureProgram.Config.defaults();
    V4l2CaptureProgram.Config config = new V4l2CaptureProgram.Config(device,
        (int) node.integer("buffers", d.buffers(), 1, 32),
        (int) node.integer("frames", d.frames(), 1, 100_000_000),
        (int) node.integer("sessions", d.sessions(), 1, 1_000_000),
        node.bool("nonblocking", d.nonBlocking()),
        node.duration("frame-work", d.frameWorkNanos(), 0),
        node.duration("pause", d.pauseNanos(), 0),
        node.duration("poll", d.pollNanos(), VirtualClock.MICROSECOND),
        node.bool("release-buffers", d.releaseBuffers()));
    long start = node.duration("start", VirtualClock.MILLISECOND, 0);
    int processes = (int) node.integer("processes", 1, 1, 16);
    return new WorkloadSpec() {
      @Override
      public String kind() {
        return V4l2CaptureKind.this.kind();
      }

      @Override
      public void install(TestbedBuilder testbed) {
        for (int i = 0; i < processes; i++) testbed.spawnProcess("v4l2-capture", new V4l2CaptureProgram(config), start);
      }
    };
  }
}
