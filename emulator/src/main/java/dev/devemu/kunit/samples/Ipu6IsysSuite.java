package dev.devemu.kunit.samples;

import dev.devemu.kunit.BedRun;
import dev.devemu.kunit.KunitSuite;
import dev.devemu.kunit.Mock;
import dev.devemu.userspace.v4l2.V4l2CaptureProgram;

/** ipu6_isys through a V4L2 capture process: stopping with buffers queued, a frame interrupt after stop. */
final class Ipu6IsysSuite {
  private Ipu6IsysSuite() {}

  static V4l2CaptureProgram capture(int buffers, int frames, int sessions, long frameWorkNanos) {
    return new V4l2CaptureProgram(new V4l2CaptureProgram.Config("/dev/video0", buffers, frames, sessions, false,
        frameWorkNanos, 2_000_000L, 1_000_000L, true));
  }

  static final KunitSuite SUITE = KunitSuite.named("ipu6_isys")
      .test("probe_and_one_capture_session", t -> {
        V4l2CaptureProgram p = capture(4, 5, 1, 0);
        BedRun r = t.testbed().device(Mock.ipu6().fps(120)).process("capture", p, 1_000_000L).duration("200ms").run();
        t.expectErrno("probe_rc", r.probeRc(), "0");
        t.expectTrue("capture finished", p.finished());
        t.expectTrue("no capture errors: " + p.errors(), p.errors().isEmpty());
      })
      .test("stop_with_buffers_queued", t -> {
        // 8 buffers, 2 frames dequeued per session: STREAMOFF with most buffers still queued, three times
        V4l2CaptureProgram p = capture(8, 2, 3, 0);
        t.testbed().device(Mock.ipu6().fps(120)).process("capture", p, 1_000_000L).duration("300ms").run();
        t.expectEq("sessions completed", p.sessionsCompleted(), "3", 3);
      })
      .concurrent("frame_interrupt_after_stop", 10, t -> {
        // 2 ms of work per frame at 120 fps: STREAMOFF lands after the next frame has started
        V4l2CaptureProgram p = capture(4, 5, 10, 2_000_000L);
        t.testbed().device(Mock.ipu6().fps(120)).process("capture", p, 1_000_000L).cpus(4).duration("1s").run();
      })
      .test("slow_sensor_outlasts_the_stop", t -> {
        V4l2CaptureProgram p = capture(4, 2, 1, 20_000_000L);
        t.testbed().device(Mock.ipu6().fps(5)).process("capture", p, 1_000_000L).duration("2s").run();
        t.expectTrue("capture finished", p.finished());
      })
      .build();
}
