package dev.devemu.usbip;

import dev.devemu.scenario.ScenarioLoader;
import dev.devemu.usbip.UsbipProtocol.Basic;
import dev.devemu.usbip.UsbipProtocol.CmdSubmit;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Figures of a live export over loopback, measured in this process: URB round trips per second (one URB at a time),
 * pipelined URBs per second, bulk OUT and IN throughput, and the process's CPU time per URB (client and server
 * together) — each against a baseline measured alongside: a bare TCP exchange of the same message sizes with a
 * server that answers at once, so the ratio is what USB/IP framing, the lane and the device model cost.
 */
public final class UsbipBench {
  /** One figure: the export's rate, the bare TCP baseline's, their ratio, CPU microseconds per URB. */
  public record Result(String name, String unit, double value, double baseline, double cpuMicrosPerUrb) {
    public double ratio() {
      return baseline == 0 ? 0 : value / baseline;
    }
  }

  private static final String SCENARIO = "scenario { name = \"usbip-bench\", duration = 1s }\n"
      + "devices = [ { type = usb-bulk, slot = \"1-1\", speed = super-plus, data-rate = 1000000000 } ]\n";

  private UsbipBench() {}

  public static List<Result> run(long millisPerFigure) throws IOException {
    try (UsbipServer server = UsbipServer.start(ScenarioLoader.parse("bench.conf", SCENARIO),
        new UsbipServer.Options("127.0.0.1", 0, null, 1.0, 1), line -> {});
        BareServer bare = new BareServer()) {
      Client c = Client.imported(server.port());
      Client b = Client.bare(bare.port());
      try (Socket cs = c.socket; Socket bs = b.socket) {
        return List.of(
          measure("round trips (bulk OUT 64 B, one at a time)", "URB/s", c, b, 64, 1, 2, millisPerFigure, false),
          measure("pipelined (bulk OUT 64 B, 32 in flight)", "URB/s", c, b, 64, 32, 2, millisPerFigure, false),
          measure("bulk OUT 64 KiB, 8 in flight", "MB/s", c, b, 65536, 8, 2, millisPerFigure, true),
          measure("bulk IN 64 KiB, 8 in flight (device produces 1 GB/s)", "MB/s", c, b, 65536, 8, 1,
              millisPerFigure, true));
      }
    }
  }

  private static Result measure(String name, String unit, Client c, Client b, int length, int depth, int ep,
      long millis, boolean bytes) throws IOException {
    int dir = ep == 1 ? UsbipProtocol.DIR_IN : UsbipProtocol.DIR_OUT;
    c.loop(ep, dir, length, depth, Math.max(100, millis / 5)); // warm-up
    long cpu0 = cpuNanos();
    double[] served = c.loop(ep, dir, length, depth, millis);
    double cpuPerUrb = (cpuNanos() - cpu0) / 1000.0 / Math.max(1, served[0]);
    b.loop(ep, dir, length, depth, Math.max(100, millis / 5));
    double[] baseline = b.loop(ep, dir, length, depth, millis);
    int at = bytes ? 1 : 0;
    double scale = bytes ? 1e-6 : 1;
    return new Result(name, unit, served[at] * scale, baseline[at] * scale, cpuPerUrb);
  }

  private static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** A client keeping {@code depth} URBs in flight; the bare variant speaks the same sizes to {@link BareServer}. */
  private static final class Client {
    final Socket socket;
    final DataInputStream in;
    final OutputStream out;
    int seqnum = 1;

    private Client(Socket socket) throws IOException {
      this.socket = socket;
      socket.setTcpNoDelay(true);
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    static Client imported(int port) throws IOException {
      Client c = new Client(new Socket("127.0.0.1", port));
      c.out.write(UsbipProtocol.importRequest("1-1"));
      c.in.readFully(new byte[UsbipProtocol.OP_COMMON_SIZE + UsbipProtocol.USB_DEVICE_SIZE]);
      return c;
    }

    static Client bare(int port) throws IOException {
      return new Client(new Socket("127.0.0.1", port));
    }

    /** Runs for {@code millis}; returns {URBs per second, payload bytes per second}. */
    double[] loop(int ep, int dir, int length, int depth, long millis) throws IOException {
      byte[] data = new byte[dir == UsbipProtocol.DIR_OUT ? length : 0];
      long end = System.nanoTime() + millis * 1_000_000;
      long start = System.nanoTime();
      int inFlight = 0;
      long done = 0;
      long moved = 0;
      byte[] header = new byte[UsbipProtocol.HEADER_SIZE];
      byte[] sink = new byte[length];
      while (true) {
        boolean more = System.nanoTime() < end;
        while (more && inFlight < depth) {
          out.write(new CmdSubmit(new Basic(UsbipProtocol.CMD_SUBMIT, seqnum++, 0x10002, dir, ep), 0, length, 0, 0, 0,
              new byte[8], data, List.of()).encode());
          inFlight++;
        }
        out.flush();
        if (inFlight == 0) break;
        in.readFully(header);
        int status = ByteBuffer.wrap(header).getInt(20);
        int actual = ByteBuffer.wrap(header).getInt(24);
        if (status != 0) throw new IOException("URB failed with status " + status);
        if (dir == UsbipProtocol.DIR_IN) in.readFully(sink, 0, actual);
        inFlight--;
        done++;
        moved += actual;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new double[] {done / seconds, moved / seconds};
    }
  }

  /**
   * The baseline: reads each 48-byte header and its OUT payload, answers at once with a 48-byte header (and
   * {@code length} bytes for IN), as a server with no device behind it would.
   */
  private static final class BareServer implements AutoCloseable {
    final ServerSocket listener = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    final Thread thread;

    BareServer() throws IOException {
      thread = new Thread(() -> {
        try (Socket s = listener.accept()) {
          s.setTcpNoDelay(true);
          DataInputStream in = new DataInputStream(s.getInputStream());
          OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 17);
          byte[] h = new byte[UsbipProtocol.HEADER_SIZE];
          byte[] buf = new byte[1 << 16];
          while (true) {
            in.readFully(h);
            ByteBuffer bb = ByteBuffer.wrap(h);
            int dir = bb.getInt(12);
            int length = bb.getInt(24);
            if (dir == UsbipProtocol.DIR_OUT) in.readFully(buf, 0, length);
            ByteBuffer r = ByteBuffer.allocate(UsbipProtocol.HEADER_SIZE);
            r.putInt(0, UsbipProtocol.RET_SUBMIT).putInt(4, bb.getInt(4)).putInt(24, length);
            out.write(r.array());
            if (dir == UsbipProtocol.DIR_IN) out.write(buf, 0, length);
            if (in.available() == 0) out.flush();
          }
        } catch (IOException e) {
          // the bench is over
        }
      }, "usbip-bench-bare");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }
  }
}
