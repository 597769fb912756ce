package dev.devemu.plugin.process;

import dev.devemu.kernel.fs.File;
import dev.devemu.scenario.Catalog;
import dev.devemu.scenario.DriverKind;
import dev.devemu.scenario.ScenarioNode;
import dev.devemu.scenario.WorkloadKind;
import dev.devemu.scenario.WorkloadSpec;
import dev.devemu.userspace.workload.ProcessWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code workload = [ { kind = process, device = "/dev/my_char", … } ]}: user processes exercising a device node.
 * Every key is checked here; ioctl names are those the catalog's drivers declare ({@link DriverKind#ioctls()}).
 */
public final class ProcessWorkloadKind implements WorkloadKind {
  static final String KIND = "process";
  private static final long MICROSECOND = 1_000L;

  @Override
  public String kind() {
    return KIND;
  }

  @Override
  public String description() {
    return "user processes that open a device node and issue a weighted random mix of read, write and ioctl";
  }

  @Override
  public WorkloadSpec parse(ScenarioNode n, int line) {
    String device = n.string("device");
    if (!device.startsWith("/dev/") || device.length() == 5) {
      throw n.error("device", "must be a device node such as /dev/my_char, got \"" + device + "\"");
    }
    int processes = (int) n.integer("processes", 1, 1, 256);
    String comm = n.string("comm", "app");
    // TASK_COMM_LEN is 16 with the NUL: longer names are cut by the kernel, so say so instead.
    if (comm.isEmpty() || comm.length() > 15) throw n.error("comm", "must be 1 to 15 characters, got \"" + comm + "\"");
    long start = n.duration("start", 0, 0);
    long think = n.duration("think-time", 100 * MICROSECOND, 0);
    long calls = n.integer("calls", 0, 0, 1_000_000_000L);
    int flags = switch (n.oneOf("open-flags", "rdwr", "rdwr", "rdonly", "wronly")) {
      case "rdonly" -> File.O_RDONLY;
      case "wronly" -> File.O_WRONLY;
      default -> File.O_RDWR;
    };

    double read = 1;
    double write = 0;
    double ioctl = 1;
    double reopen = 0.02;
    if (n.has("mix")) {
      // An explicit mix lists what the processes do: whatever it leaves out, they never do.
      ScenarioNode mix = n.child("mix");
      read = mix.number("read", 0, 0, 1e9);
      write = mix.number("write", 0, 0, 1e9);
      ioctl = mix.number("ioctl", 0, 0, 1e9);
      reopen = mix.number("reopen", 0, 0, 1e9);
      mix.rejectUnknown();
      if (read + write + ioctl + reopen <= 0) throw n.error("mix", "needs at least one weight above 0");
    }

    List<Integer> ioctls = ioctls(n);
    if (ioctl > 0 && ioctls.isEmpty()) {
      throw n.error("ioctls", "missing: the mix issues ioctls, so list the commands (known: " + knownNames() + ")");
    }

    int readMin = (int) n.integer("read-size-min", 1, 0, 1 << 20);
    int readMax = (int) n.integer("read-size-max", 16, 1, 1 << 20);
    if (readMin > readMax) throw n.error("read-size-min", "is above read-size-max (" + readMax + ")");
    int writeMin = (int) n.integer("write-size-min", 1, 0, 1 << 20);
    int writeMax = (int) n.integer("write-size-max", 16, 1, 1 << 20);
    if (writeMin > writeMax) throw n.error("write-size-min", "is above write-size-max (" + writeMax + ")");

    double badPointer = n.number("bad-pointer", 0, 0, 1);
    double unknownIoctl = n.number("unknown-ioctl", 0, 0, 1);
    double untouched = n.number("untouched-buffer", 0, 0, 1);
    return new ProcessWorkloadSpec(new ProcessWorkload(device, processes, comm, start, think, calls, flags, read, write, ioctl, reopen, ioctls,
        readMin, readMax, writeMin, writeMax, badPointer, unknownIoctl, untouched, line));
  }

  /** Names (as the drivers declare them) or numbers ({@code "0x800445d0"}), in the order given. */
  private static List<Integer> ioctls(ScenarioNode n) {
    Map<String, Integer> known = new TreeMap<>();
    java.util.Set<String> ambiguous = new java.util.TreeSet<>();
    for (DriverKind d : Catalog.drivers()) {
      for (Map.Entry<String, Integer> e : d.ioctls().entrySet()) {
        Integer before = known.putIfAbsent(e.getKey(), e.getValue());
        if (before != null && !before.equals(e.getValue())) ambiguous.add(e.getKey());
      }
    }
    List<Integer> out = new ArrayList<>();
    for (String s : n.strings("ioctls")) {
      if (s.matches("0[xX][0-9a-fA-F]{1,8}")) {
        out.add((int) Long.parseLong(s.substring(2), 16));
      } else if (s.matches("[0-9]{1,10}") && Long.parseLong(s) <= 0xFFFFFFFFL) {
        out.add((int) Long.parseLong(s));
      } else {
        Integer cmd = known.get(s);
        if (cmd == null) throw n.error("ioctls", "unknown ioctl \"" + s + "\" (known: " + knownNames() + ")");
        if (ambiguous.contains(s)) {
          throw n.error("ioctls", "\"" + s + "\" names different commands in different drivers: give its number");
        }
        out.add(cmd);
      }
    }
    return out;
  }

  /** Every ioctl name the catalog's drivers declare, sorted. */
  private static String knownNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (DriverKind d : Catalog.drivers()) names.addAll(d.ioctls().keySet());
    return names.isEmpty() ? "none" : String.join(", ", names);
  }
}
