package dev.devemu.kernel.detect;

import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Irqs;
import dev.devemu.kernel.KLock;
import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Op;
import dev.devemu.kernel.sync.Completion;
import dev.devemu.kernel.sync.Mutex;
import dev.devemu.kernel.sync.SpinLock;
import dev.devemu.testbed.KernelBench;
import java.util.List;
import org.junit.jupiter.api.Test;

/** lockdep: AB-BA between contexts, sleeping in atomic context, releasing a lock one does not hold. */
class LockdepTest extends DetectorTestBase {
  static Op<Void> lock(KLock l) {
    return l instanceof SpinLock s ? s.lock() : ((Mutex) l).lock();
  }

  static Op<Void> unlock(KLock l) {
    return l instanceof SpinLock s ? s.unlock() : ((Mutex) l).unlock();
  }

  /** Takes {@code first} then {@code second}, then releases both. */
  static Op<Void> nested(KLock first, KLock second) {
    return lock(first).then(lock(second)).then(unlock(second)).then(unlock(first));
  }

  KernelBench.Findings twoTasks(boolean sameOrder) {
    return KernelBench.cpus(2).tasks(w -> {
      Mutex a = new Mutex("bench.a");
      Mutex b = new Mutex("bench.b");
      return List.of(w.task("t1", 0, Op.fn("t1_fn", () -> nested(a, b))),
          w.task("t2", 1, Op.fn("t2_fn", () -> sameOrder ? nested(a, b) : nested(b, a))));
    }).seeds(sim, 1, 5);
  }

  @Test
  void anAbBaOrderBetweenTwoContextsFiresInEveryRun() {
    KernelBench.Findings f = twoTasks(false);
    assertEquals(5, f.runsThatFired("lockdep"), f.toString());
    Oops o = f.first("lockdep");
    assertEquals("WARNING: possible circular locking dependency detected", o.title());
    String text = o.format();
    assertTrue(text.startsWith("=".repeat(54) + "\n"), text);
    assertTrue(text.contains("the existing dependency chain (in reverse order) is:"), text);
    assertTrue(text.contains(" *** DEADLOCK ***"), text);
    assertTrue(text.contains("1 lock held by "), text);
  }

  @Test
  void aConsistentOrderIsQuiet() {
    assertTrue(twoTasks(true).quiet());
  }

  KernelBench.Findings sleepWhileHolding(boolean spin, boolean completion) {
    return KernelBench.cpus(1).duration("10ms").tasks(w -> {
      KLock l = spin ? new SpinLock("bench.spin") : new Mutex("bench.mutex");
      Mutex inner = new Mutex("bench.inner");
      Completion done = Completion.initialized("bench.done");
      Op<Void> sleeper = completion
          ? done.complete().then(done.waitForCompletion())
          : inner.lock().then(inner.unlock());
      return List.of(w.task("sleeper", 0, Op.fn("bench_fn", () -> lock(l).then(sleeper).then(unlock(l)))));
    }).run(sim, 1);
  }

  @Test
  void sleepingUnderASpinlockFires() {
    for (boolean completion : new boolean[] {false, true}) {
      Oops o = sleepWhileHolding(true, completion).first("atomic-sleep");
      assertTrue(o.title().startsWith("BUG: sleeping function called from invalid context at "
          + (completion ? "wait_for_completion(bench.done)" : "mutex_lock(bench.inner)") + " in bench_fn"), o.title());
      assertTrue(o.body().contains("in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: sleeper"),
          o.format());
      assertTrue(o.body().contains("1 lock held by sleeper/1:"), o.format());
    }
  }

  @Test
  void sleepingUnderAMutexIsQuiet() {
    assertTrue(sleepWhileHolding(false, false).quiet());
    assertTrue(sleepWhileHolding(false, true).quiet());
  }

  KernelBench.Findings handler(boolean sleeps) {
    return KernelBench.cpus(2).duration("10ms").tasks(w -> {
      int irq = w.allocateIrq("bench");
      Mutex m = new Mutex("bench.mutex");
      SpinLock s = new SpinLock("bench.spin");
      Irqs.Handler h = (i, dev) -> Op.fn("bench_irq",
          () -> (sleeps ? m.lock().then(m.unlock()) : s.lock().then(s.unlock())).map(v -> Irqs.IrqReturn.HANDLED));
      return List.of(w.task("setup", 0, Irqs.requestIrq(irq, h, "bench", m).then(rc -> w.raise(irq))));
    }).run(sim, 1);
  }

  @Test
  void sleepingInAnInterruptHandlerFiresAndKillsTheHandler() {
    Oops o = handler(true).first("atomic-sleep");
    assertTrue(o.title().endsWith(" in bench_irq"), o.title());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("preempt_count: 1000")), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.endsWith("(hardirq)")), o.format());
  }

  @Test
  void aSpinlockInAnInterruptHandlerIsQuiet() {
    assertTrue(handler(false).quiet());
  }

  KernelBench.Findings unlockBy(boolean owner) {
    return KernelBench.cpus(2).duration("100ms").tasks(w -> {
      Mutex m = new Mutex("bench.mutex");
      Op<Void> holder = m.lock().then(w.kernel().sleep("msleep", 10_000_000L)).then(m.unlock());
      Op<Void> other = w.kernel().sleep("msleep", 1_000_000L).then(owner ? Op.done() : m.unlock());
      return List.of(w.task("holder", 0, holder), w.task("other", 1, Op.fn("other_fn", () -> other)));
    }).run(sim, 1);
  }

  @Test
  void releasingALockAnotherContextHoldsFires() {
    Oops o = unlockBy(false).first("lockdep");
    assertEquals("WARNING: bad unlock balance detected!", o.title());
    assertTrue(o.format().startsWith("=".repeat(37) + "\n"), o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.startsWith("other/") && l.contains("is trying to release lock (bench.mutex)")),
        o.format());
    assertTrue(o.body().contains("but the lock is held by holder/1"), o.format());
  }

  @Test
  void releasingByTheHolderIsQuiet() {
    assertTrue(unlockBy(true).quiet());
  }
}
