package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hung-task watchdog: an uninterruptible wait longer than hung_task_timeout_secs (virtual) is reported. */
class HungTaskTest extends DetectorTestBase {
  /** A waiter on a completion that another task completes after {@code completeAfterNanos} (never if negative). */
  KernelBench.Findings waiter(String timeoutLine, String duration, long completeAfterNanos) {
    KernelBench bench = KernelBench.cpus(2).duration(duration);
    if (timeoutLine != null) bench.kernel(timeoutLine);
    return bench.tasks(w -> {
      Completion done = Completion.initialized("bench.done");
      Op<Void> completer = completeAfterNanos < 0 ? Op.done()
          : w.kernel().sleep("msleep", completeAfterNanos).then(done.complete());
      return List.of(w.task("waiter", 0, Op.fn("bench_wait", done::waitForCompletion)),
          w.task("completer", 1, completer));
    }).run(sim, 1);
  }

  @Test
  void aWaitLongerThanACustomTimeoutFires() {
    Oops o = waiter("hung-task-timeout = 2s", "5s", -1).first("hung-task");
    assertEquals("INFO: task waiter:1 blocked for more than 2 seconds.", o.title());
    assertEquals(2_000_000_000L, o.timeNanos());
    assertTrue(o.body().contains("\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message."),
        o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("task:waiter state:D pid:1")), o.format());
    assertTrue(o.body().contains(" bench_wait"), o.format());
  }

  @Test
  void aCompletionWithinTheTimeoutIsQuiet() {
    assertTrue(waiter("hung-task-timeout = 2s", "5s", 1_000_000_000L).quiet());
  }

  @Test
  void theDefaultTimeoutIs120Seconds() {
    assertTrue(waiter(null, "200s", 119_000_000_000L).quiet());
    Oops o = waiter(null, "200s", -1).first("hung-task");
    assertEquals("INFO: task waiter:1 blocked for more than 120 seconds.", o.title());
  }
}
