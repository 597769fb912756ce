package dev.devemu.driver.samples.chardev;

import static dev.devemu.driver.samples.chardev.MyCharAbi.GET_VERSION;
import static dev.devemu.driver.samples.chardev.MyCharAbi.NODE;
import static dev.devemu.driver.samples.chardev.MyCharAbi.SET_CONFIG;
import static org.junit.jupiter.api.Assertions.*;

import dev.devemu.kernel.Oops;
import dev.devemu.kernel.Variant;
import dev.devemu.kernel.fs.File;
import dev.devemu.scenario.Scenario;
import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.scenario.TestbedBuilder;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.sim.RandomWalkStrategy;
import dev.devemu.sim.ReplayStrategy;
import dev.devemu.testbed.RunResult;
import dev.devemu.testbed.Runner;
import dev.devemu.testbed.Sim;
import dev.devemu.testsupport.ScriptedProgram;
import dev.devemu.uapi.Errno;
import dev.devemu.uapi.Ioctl;
import dev.devemu.userspace.Syscall;
import dev.devemu.userspace.UserContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * my_char, raw and safe: every errno path through a scripted process, each bug of the raw variant found by the
 * workload or interleaving that exposes it (and the safe variant clean over the same seeds), replay by seed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MyCharTest {
  static final long KERNEL_ADDRESS = 0xffff888100000000L;
  static final long EFAULT = -Errno.EFAULT;
  Sim sim;

  @BeforeAll
  void start() {
    sim = new Sim("MyCharTest");
  }

  @AfterAll
  void stop() {
    sim.close();
  }

  /** my_char bound to its device, with one scripted process starting at 1 ms. */
  static Scenario scripted(String variant, ScriptedProgram program) {
    return scripted(variant, program, "10ms", "panic-on-oops = false");
  }

  static Scenario scripted(String variant, ScriptedProgram program, String duration, String kernelKeys) {
    Scenario base = Sim.scenario("""
        scenario { name = "t", duration = %s }
        kernel { %s }
        machine { cpus = 2 }
        devices = [ { type = chardev, name = my_char } ]
        drivers = [ { name = my_char, variant = %s } ]
        """.formatted(duration, kernelKeys, variant));
    WorkloadSpec script = new WorkloadSpec() {
      @Override
      public String kind() {
        return "script";
      }

      @Override
      public void install(TestbedBuilder testbed) {
        testbed.spawnProcess("tester", program, 1_000_000L);
      }
    };
    return new Scenario(base.file(), base.name(), base.description(), base.durationNanos(), base.machine(),
        base.kernel(), base.devices(), base.drivers(), base.faults(), List.of(script), base.source());
  }

  /** Buffers the script maps in its first call. */
  static final class Buffers {
    long version;
    long config;
    long read;
    long shortRead;
    final List<byte[]> seen = new ArrayList<>();

    long touched(UserContext c, int size) {
      long at = c.mm().map(size);
      c.mm().poke(at, new byte[size]);
      return at;
    }
  }

  static byte[] configBytes() {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) b[i] = (byte) (i + 1);
    return b;
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void everyErrnoPathAsTheArticleHasIt(String variant) {
    Buffers b = new Buffers();
    int unknown = Ioctl.io('E', 0xEE);
    int getVersionWrongSize = Ioctl.ior('E', 0xD0, 8);
    List<Function<UserContext, Syscall>> calls = List.of(
        c -> {
          b.version = b.touched(c, 4);
          b.config = b.touched(c, 16);
          b.read = b.touched(c, 16);
          b.shortRead = b.touched(c, 16);
          c.mm().poke(b.config, configBytes());
          return Syscall.open(NODE, File.O_RDWR);
        },
        c -> Syscall.ioctl(3, GET_VERSION, b.version),
        c -> {
          b.seen.add(c.mm().peek(b.version, 4));
          return Syscall.ioctl(3, SET_CONFIG, b.config);
        },
        c -> Syscall.read(3, b.read, 16),
        c -> {
          b.seen.add(c.mm().peek(b.read, 16));
          return Syscall.read(3, b.shortRead, 4);
        },
        c -> {
          b.seen.add(c.mm().peek(b.shortRead, 16));
          return Syscall.read(3, b.read, 0);
        },
        c -> Syscall.ioctl(3, unknown, 0),
        c -> Syscall.ioctl(3, getVersionWrongSize, b.version),
        c -> Syscall.ioctl(3, GET_VERSION, 0),                  // NULL
        c -> Syscall.ioctl(3, GET_VERSION, KERNEL_ADDRESS),
        // one bad SET_CONFIG only: the next SET_CONFIG after a failed one waits forever (the shared bug, tested below)
        c -> Syscall.ioctl(3, SET_CONFIG, b.config + 4096),     // the unmapped guard page after the buffer
        c -> Syscall.read(3, b.read, 16),
        c -> {
          b.seen.add(c.mm().peek(b.read, 16));
          return Syscall.read(3, KERNEL_ADDRESS, 16);         // access_ok refuses it in the VFS
        },
        c -> Syscall.read(3, 0, 16),                            // NULL passes access_ok; the driver's copy fails
        c -> Syscall.write(3, b.config, 16),
        c -> Syscall.close(3),
        c -> Syscall.ioctl(3, GET_VERSION, b.version));
    ScriptedProgram p = new ScriptedProgram(calls);
    RunResult r = sim.run(scripted(variant, p), 1).result();

    assertEquals(List.of(3L, 0L, 0L, 16L, 4L, 0L, (long) -Errno.ENOTTY, (long) -Errno.ENOTTY, EFAULT, EFAULT, EFAULT,
        16L, EFAULT, EFAULT, (long) -Errno.EINVAL, 0L, (long) -Errno.EBADF), p.results());
    assertArrayEquals(new byte[] {0x00, 0x01, 0, 0}, b.seen.get(0), "GET_VERSION writes 0x0100 little endian");
    assertArrayEquals(configBytes(), b.seen.get(1), "read returns what SET_CONFIG stored");
    assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b.seen.get(2),
        "a short read copies only what was asked for");
    if (variant.equals("safe")) {
      assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
      assertArrayEquals(configBytes(), b.seen.get(3), "a failed SET_CONFIG leaves the config alone");
    } else {
      // C semantics: copy_from_user zero-fills what it could not copy, and raw copies straight into the struct.
      assertArrayEquals(new byte[16], b.seen.get(3), "raw's failed SET_CONFIG clobbered the config");
      // The NULL read: the atomic copy fails, and the fallback copy_to_user runs with the spinlock held.
      assertEquals(1, r.oopses().size(), () -> r.oopses().toString());
      Oops o = r.oopses().get(0);
      assertEquals("atomic-sleep", o.detector());
      assertEquals("BUG: sleeping function called from invalid context at copy_to_user in my_char_read", o.title());
      assertEquals("my_char", o.owner().driver());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void aLongReadIsClampedToTheConfigOnlyInSafe(String variant) {
    long[] buf = new long[1];
    ScriptedProgram p = new ScriptedProgram(
        c -> Syscall.open(NODE, File.O_RDONLY),
        c -> {
          buf[0] = c.mm().map(64);
          c.mm().poke(buf[0], new byte[64]);
          return Syscall.read(3, buf[0], 32);
        });
    RunResult r = sim.run(scripted(variant, p), 1).result();
    if (variant.equals("safe")) {
      assertEquals(List.of(3L, 16L), p.results());
      assertTrue(r.oopses().isEmpty(), () -> r.oopses().toString());
    } else {
      assertEquals(List.of(3L, 32L), p.results(), "raw copies all 32 bytes, running off config and off the object");
      assertEquals(1, r.oopses().size(), () -> r.oopses().toString());
      Oops o = r.oopses().get(0);
      assertEquals("BUG: KASAN: slab-out-of-bounds in my_char_read", o.title());
      assertTrue(o.body().stream().anyMatch(l -> l.contains("Read of size 32")), o.format());
      assertTrue(o.body().stream().anyMatch(l -> l.contains("kmalloc-32 of size 32 (struct my_char_data)")),
          o.format());
    }
  }

  /**
   * The bug both variants share: a SET_CONFIG from a bad pointer returns -EFAULT with {@code updating} still set,
   * so the next SET_CONFIG sleeps uninterruptibly until the hung-task watchdog reports it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"raw", "safe"})
  void aFailedSetConfigLeavesTheNextOneHungInBothVariants(String variant) {
    long[] config = new long[1];
    ScriptedProgram p = new ScriptedProgram(
        c -> {
          config[0] = c.mm().map(16);
          c.mm().poke(config[0], configBytes());
          return Syscall.open(NODE, File.O_RDWR);
        },
        c -> Syscall.ioctl(3, SET_CONFIG, config[0]),
        c -> Syscall.ioctl(3, SET_CONFIG, 0),                   // -EFAULT, and the flag stays set
        c -> Syscall.ioctl(3, GET_VERSION, config[0]),          // other calls still work
        c -> Syscall.ioctl(3, SET_CONFIG, config[0]));          // waits for the flag forever
    RunResult r = sim.run(scripted(variant, p, "3s", "hung-task-timeout = 1s"), 1).result();
    assertEquals(List.of(3L, 0L, EFAULT, 0L), p.results(), "the last SET_CONFIG never returns");
    assertEquals(1, r.oopses().size(), () -> r.oopses().toString());
    Oops o = r.oopses().get(0);
    assertEquals("hung-task", o.detector(), o.format());
    assertTrue(o.title().matches("INFO: task tester:\\d+ blocked for more than 1 seconds\\."), o.title());
    assertEquals("my_char", o.owner().driver(), "blocked in the driver's code: " + o.format());
    assertTrue(o.body().stream().anyMatch(l -> l.contains("wait queue my_char_data.update_wq")), o.format());
    assertTrue(o.timeNanos() >= 1_000_000_000L, "reported after the timeout: " + o.timeNanos());
  }

  /**
   * Runs raw over seeds 1, 2, … until a report with the signature shows (every raw report must blame my_char),
   * then safe over every seed tried: it must report nothing. Returns the seed that found it.
   */
  long rawFindsItSafeDoesNot(Scenario s, int maxSeeds, String signature) {
    Scenario raw = s.withVariant(Variant.RAW);
    long found = -1;
    for (long seed = 1; seed <= maxSeeds && found < 0; seed++) {
      for (Oops o : sim.run(raw, seed).result().oopses()) {
        assertEquals("my_char", o.owner().driver(), o.format());
        if (o.signature().startsWith(signature)) found = seed;
      }
    }
    assertTrue(found > 0, maxSeeds + " seeds never showed " + signature);
    Scenario safe = s.withVariant(Variant.SAFE);
    for (long seed = 1; seed <= found; seed++) {
      RunResult r = sim.run(safe, seed).result();
      assertTrue(r.oopses().isEmpty(), "safe, seed " + seed + ": " + r.oopses());
    }
    return found;
  }

  static Scenario readers(String workloadKeys) {
    return Sim.scenario("""
        scenario { name = "t", duration = 10ms }
        machine { cpus = 2 }
        devices = [ { type = chardev, name = my_char } ]
        drivers = [ { name = my_char, variant = raw } ]
        workload = [ { kind = process, device = "/dev/my_char", processes = 2, think-time = 200us,
          mix { read = 1 }, %s } ]
        """.formatted(workloadKeys));
  }

  @Test
  void rawSleepsUnderItsSpinlockWhenAReadBufferIsNotResident() {
    rawFindsItSafeDoesNot(readers("untouched-buffer = 0.3"), 10, "atomic-sleep:my_char_read:copy_to_user");
  }

  @Test
  void rawReadsPastItsStructWhenTheCountIsAbove16() {
    rawFindsItSafeDoesNot(readers("read-size-max = 32"), 10, "kasan:slab-out-of-bounds:my_char_read:read");
  }

  @Test
  void rawRacesOnTheConfigBetweenReadAndSetConfig() {
    Scenario s = ScenarioLoader.load(Path.of("../scenarios/my_char-race.conf"));
    rawFindsItSafeDoesNot(s, 60, "kcsan:my_char_ioctl/my_char_read:my_char_data.config");
  }

  @Test
  void rawUsesItsFreedDataAfterAnUnbindWhileOpen() {
    Scenario s = ScenarioLoader.load(Path.of("../scenarios/my_char-unplug.conf"));
    rawFindsItSafeDoesNot(s, 10, "kasan:slab-use-after-free:my_char_");
    // Exposure counts the bound time only: 0-5 ms and 6-10 ms.
    RunResult r = sim.run(s.withVariant(Variant.SAFE), 1).result();
    long bound = r.exposureNanos().get("my_char/safe");
    assertTrue(bound >= 9_000_000L && bound < 9_100_000L, "bound " + bound + " ns");
    assertEquals(2, r.hotplugEvents());
  }

  @Test
  void chardevBasicIsCleanAndReplaysBySeed() {
    Scenario s = ScenarioLoader.load(Path.of("../scenarios/chardev-basic.conf")).withDuration(30_000_000L);
    Runner.Outcome a = sim.run(s, 42);
    Runner.Outcome b = sim.run(s, 42);
    assertEquals("completed", a.result().outcome());
    assertTrue(a.result().oopses().isEmpty(), () -> a.result().oopses().toString());
    long bound = a.result().exposureNanos().get("my_char/safe");
    assertTrue(bound >= 30_000_000L && bound < 30_100_000L, "bound from boot to the end: " + bound + " ns");
    assertTrue(a.result().choices() > 1000, "the processes did work: " + a.result().choices());
    assertEquals(a.traceSha256(), b.traceSha256());
    assertEquals(a.result(), b.result());

    Runner.Outcome recorded = sim.run(s.withVariant(Variant.RAW), 3, new RandomWalkStrategy(), Runner.TraceMode.KEEP);
    Runner.Outcome replayed = sim.run(s.withVariant(Variant.RAW), 3, new ReplayStrategy(recorded.trace().choices(), true),
        Runner.TraceMode.HASH);
    assertEquals(recorded.traceSha256(), replayed.traceSha256());
    assertEquals(recorded.result().oopses().stream().map(Oops::signature).toList(),
        replayed.result().oopses().stream().map(Oops::signature).toList());
    assertFalse(recorded.result().oopses().isEmpty(), "raw under chardev-basic races at once");
  }
}
