package dev.devemu.report;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.devemu.kernel.Oops;
import dev.devemu.sim.DeliveryTrace;
import dev.devemu.testbed.RunResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a run as Chrome/Perfetto trace-event JSON ({@code --trace-json FILE}; open it at
 * https://ui.perfetto.dev or in chrome://tracing).
 *
 * <ul>
 *   <li>One track per actor: the CPUs under the process "CPUs", every other actor (devices, the interrupt
 *       controller, buses, driver instances, whatever a model adds) under "devices, buses and drivers", timers
 *       under "virtual clock", and printk under "kernel log".</li>
 *   <li>One slice per delivery, named by what happened: a CPU step shows the task and its kernel call
 *       ({@code irq/24-my_pcie/7 [hardirq] my_pcie_irq: ioread32}), other deliveries their message.</li>
 *   <li>A flow arrow from the delivery that sent a message to the delivery that consumed it, whenever the two
 *       are different actors: interrupts (device → irqchip → CPU), MMIO and DMA round trips, URBs, hot-plug
 *       events. This is generic — it comes from the lane's dispatcher, so any new message gets its arrows.</li>
 *   <li>Each oops as an instant event on its CPU (and a global marker).</li>
 * </ul>
 *
 * <p>Time is virtual time, dilated by {@link #DELIVERY_NANOS} per delivery: work takes no virtual time, so
 * without dilation every delivery of an instant would sit on the same pixel. Each slice's args give its true
 * virtual time and step.
 */
public final class PerfettoTrace {
  /** Virtual nanoseconds each delivery occupies on the timeline. */
  public static final long DELIVERY_NANOS = 10;

  static final int PID_CPUS = 1;
  static final int PID_ACTORS = 2;
  static final int PID_CLOCK = 3;
  static final int PID_LOG = 4;

  private static final Pattern CPU = Pattern.compile("cpu(\\d+)");
  private static final Pattern LOG_TIME = Pattern.compile("^\\[\\s*(\\d+)\\.(\\d{6})\\] (.*)$");

  private PerfettoTrace() {}

  private record Track(int pid, int tid, String name) {}

  private static final String FAULTS = "@fault";

  /**
   * Writes the timeline of a run whose trace was recorded in detail.
   *
   * @throws IllegalArgumentException if the trace is not detailed (it has no senders to draw flows from)
   */
  public static void write(Path path, String title, DeliveryTrace trace, RunResult result) throws IOException {
    if (!trace.detailed()) throw new IllegalArgumentException("a Perfetto export needs a detailed trace");
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try (OutputStream out = Files.newOutputStream(path);
        JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
      write(g, title, trace, result);
    }
  }

  private static void write(JsonGenerator g, String title, DeliveryTrace trace, RunResult result) throws IOException {
    List<DeliveryTrace.Delivery> ds = trace.deliveries();
    int n = ds.size();
    long[] ts = new long[n];
    long last = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      long t = Math.max(ds.get(i).timeNanos(), last == Long.MIN_VALUE ? 0 : last + DELIVERY_NANOS);
      ts[i] = t;
      last = t;
    }
    Map<String, Track> tracks = new LinkedHashMap<>();
    int[] nextActorTid = {1};
    Track[] trackOf = new Track[n];
    for (int i = 0; i < n; i++) {
      String actor = ds.get(i).actor();
      // steered fault decisions (+steer) share one track, whatever the point and the answer
      if (dev.devemu.sim.FaultChoices.isFault(actor)) actor = FAULTS;
      trackOf[i] = tracks.computeIfAbsent(actor, a -> newTrack(a, nextActorTid));
    }

    g.writeStartObject();
    g.writeStringField("displayTimeUnit", "ns");
    g.writeObjectFieldStart("otherData");
    g.writeStringField("title", title);
    g.writeStringField("timeline", "virtual time, dilated by " + DELIVERY_NANOS + " ns per delivery");
    g.writeNumberField("deliveries", n);
    g.writeEndObject();
    g.writeArrayFieldStart("traceEvents");

    metadata(g, PID_CPUS, null, "process_name", "CPUs", 0);
    metadata(g, PID_ACTORS, null, "process_name", "devices, buses and drivers", 1);
    metadata(g, PID_CLOCK, null, "process_name", "virtual clock", 2);
    metadata(g, PID_LOG, null, "process_name", "kernel log", 3);
    metadata(g, PID_LOG, 1, "thread_name", "printk", 0);
    for (Track t : tracks.values()) metadata(g, t.pid(), t.tid(), "thread_name", t.name(), t.tid());

    for (int i = 0; i < n; i++) {
      DeliveryTrace.Delivery d = ds.get(i);
      Track t = trackOf[i];
      String note = trace.noteOf(i);
      g.writeStartObject();
      g.writeStringField("ph", "X");
      g.writeStringField("cat", "delivery");
      g.writeStringField("name", note != null ? note : d.message());
      g.writeNumberField("pid", t.pid());
      g.writeNumberField("tid", t.tid());
      g.writeNumberField("ts", micros(ts[i]));
      g.writeNumberField("dur", micros(DELIVERY_NANOS));
      g.writeObjectFieldStart("args");
      g.writeNumberField("step", d.step());
      g.writeStringField("virtual_time", seconds(d.timeNanos()));
      g.writeStringField("actor", d.actor());
      g.writeStringField("message", d.message());
      long sender = trace.senderOf(i);
      if (sender >= 0) g.writeNumberField("sent_by_step", sender);
      g.writeEndObject();
      g.writeEndObject();
    }

    // Flows: sender slice -> receiver slice, across tracks. Steps are indices into the delivery list, unless steered
    // fault decisions (+steer, which share their delivery's step) are in it: then by a step's delivery.
    int[] indexOfStep = null;
    for (int i = 0; i < n && indexOfStep == null; i++) {
      if (dev.devemu.sim.FaultChoices.isFault(ds.get(i).actor())) {
        indexOfStep = new int[n];
        java.util.Arrays.fill(indexOfStep, -1);
        for (int j = 0; j < n; j++) {
          long step = ds.get(j).step();
          if (!dev.devemu.sim.FaultChoices.isFault(ds.get(j).actor()) && step >= 0 && step < n) indexOfStep[(int) step] = j;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      long sender = trace.senderOf(i);
      if (sender < 0 || sender >= n) continue;
      int s = indexOfStep == null ? (int) sender : indexOfStep[(int) sender];
      if (s < 0) continue;
      if (trackOf[s] == trackOf[i]) continue;
      String name = ds.get(i).message();
      flow(g, "s", i, name, trackOf[s], ts[s]);
      flow(g, "f", i, name, trackOf[i], ts[i]);
    }

    logEvents(g, result.kernelLog(), ds, ts);
    for (Oops o : result.oopses()) oopsEvents(g, o, ds, ts, tracks);

    g.writeEndArray();
    g.writeEndObject();
  }

  private static Track newTrack(String actor, int[] nextActorTid) {
    Matcher m = CPU.matcher(actor);
    if (m.matches()) return new Track(PID_CPUS, Integer.parseInt(m.group(1)) + 1, actor);
    if (actor.equals("@clock")) return new Track(PID_CLOCK, 1, "timers (@clock)");
    if (actor.equals(FAULTS)) return new Track(PID_CLOCK, 2, "fault decisions (+steer)");
    return new Track(PID_ACTORS, nextActorTid[0]++, actor);
  }

  private static void metadata(JsonGenerator g, int pid, Integer tid, String kind, String name, int sortIndex)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    if (tid != null) g.writeNumberField("tid", tid);
    g.writeStringField("name", kind);
    g.writeObjectFieldStart("args");
    g.writeStringField("name", name);
    g.writeEndObject();
    g.writeEndObject();
    g.writeStartObject();
    g.writeStringField("ph", "M");
    g.writeNumberField("pid", pid);
    if (tid != null) g.writeNumberField("tid", tid);
    g.writeStringField("name", tid == null ? "process_sort_index" : "thread_sort_index");
    g.writeObjectFieldStart("args");
    g.writeNumberField("sort_index", sortIndex);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void flow(JsonGenerator g, String phase, int id, String name, Track t, long tsNanos)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("ph", phase);
    g.writeStringField("cat", "message");
    g.writeStringField("name", name);
    g.writeNumberField("id", id);
    g.writeNumberField("pid", t.pid());
    g.writeNumberField("tid", t.tid());
    // inside the slice, so that the arrow binds to it ("e": the enclosing slice)
    g.writeNumberField("ts", micros(tsNanos + DELIVERY_NANOS / 2));
    if (phase.equals("f")) g.writeStringField("bp", "e");
    g.writeEndObject();
  }

  /** printk lines as instant events; consecutive lines of one instant (a whole oops) become one event. */
  private static void logEvents(JsonGenerator g, List<String> log, List<DeliveryTrace.Delivery> ds, long[] ts)
      throws IOException {
    List<String> group = new ArrayList<>();
    long groupTime = -1;
    for (String line : log) {
      Matcher m = LOG_TIME.matcher(line);
      if (!m.matches()) continue;
      long t = Long.parseLong(m.group(1)) * 1_000_000_000L + Long.parseLong(m.group(2)) * 1_000L;
      if (t != groupTime && !group.isEmpty()) {
        logEvent(g, groupTime, group, ds, ts);
        group.clear();
      }
      groupTime = t;
      group.add(m.group(3));
    }
    if (!group.isEmpty()) logEvent(g, groupTime, group, ds, ts);
  }

  private static void logEvent(JsonGenerator g, long time, List<String> lines, List<DeliveryTrace.Delivery> ds,
      long[] ts) throws IOException {
    g.writeStartObject();
    g.writeStringField("ph", "i");
    g.writeStringField("s", "t");
    g.writeStringField("cat", "printk");
    String first = lines.get(0).isBlank() && lines.size() > 1 ? lines.get(1) : lines.get(0);
    g.writeStringField("name", first.length() > 120 ? first.substring(0, 120) + "…" : first);
    g.writeNumberField("pid", PID_LOG);
    g.writeNumberField("tid", 1);
    g.writeNumberField("ts", micros(at(time, ds, ts)));
    g.writeObjectFieldStart("args");
    g.writeStringField("virtual_time", seconds(time));
    g.writeStringField("text", String.join("\n", lines));
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void oopsEvents(JsonGenerator g, Oops o, List<DeliveryTrace.Delivery> ds, long[] ts,
      Map<String, Track> tracks) throws IOException {
    Track cpu = o.cpu() >= 0 ? tracks.get("cpu" + o.cpu()) : null;
    long at = at(o.timeNanos(), ds, ts);
    for (String scope : cpu == null ? List.of("g") : List.of("t", "g")) {
      g.writeStartObject();
      g.writeStringField("ph", "i");
      g.writeStringField("s", scope);
      g.writeStringField("cat", "oops");
      g.writeStringField("name", o.title());
      if (scope.equals("t")) {
        g.writeNumberField("pid", cpu.pid());
        g.writeNumberField("tid", cpu.tid());
      } else {
        g.writeNumberField("pid", PID_CPUS);
        g.writeNumberField("tid", 0);
      }
      g.writeNumberField("ts", micros(at + DELIVERY_NANOS));
      g.writeObjectFieldStart("args");
      g.writeStringField("detector", o.detector());
      g.writeStringField("signature", o.signature());
      g.writeStringField("virtual_time", seconds(o.timeNanos()));
      g.writeStringField("report", o.format());
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  /** The timeline position of virtual time {@code t}: the last delivery at or before it. */
  private static long at(long t, List<DeliveryTrace.Delivery> ds, long[] ts) {
    int lo = 0;
    int hi = ds.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ds.get(mid).timeNanos() <= t) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? t : ts[found];
  }

  private static double micros(long nanos) {
    return nanos / 1000.0;
  }

  private static String seconds(long nanos) {
    return String.format("%d.%09ds", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
  }
}
