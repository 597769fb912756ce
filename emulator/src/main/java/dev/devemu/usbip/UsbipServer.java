package dev.devemu.usbip;

import dev.devemu.scenario.Scenario;
import dev.devemu.sim.SimHost;
import dev.devemu.sim.SimRun;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code devemu usbip}: a USB/IP server (what {@code usbipd} with {@code usbip-host} is on a real machine) whose
 * devices are the scenario's USB device models, running live on a simulation lane ({@link ExportEngine}). Network
 * threads only frame messages and check them against the protocol's caps; every decision is taken on the lane.
 *
 * <p>Bad clients cost only their own connection: a wrong version, an unknown operation or command, a length
 * beyond the caps or a truncated message ends that connection. A client may have at most {@link #MAX_IN_FLIGHT}
 * URBs in flight (further submits wait in its socket, as TCP back-pressure) and at most {@link #MAX_QUEUED_BYTES}
 * of answers it has not read; beyond that it is disconnected.
 */
public final class UsbipServer implements AutoCloseable {
  public static final int DEFAULT_PORT = 3240;
  static final int MAX_IN_FLIGHT = 16_384;
  static final long MAX_QUEUED_BYTES = 64L * 1024 * 1024;

  /** How to serve: address, port (0 = any free one), session file, wall-to-virtual time scale, seed. */
  public record Options(String bind, int port, Path record, double timeScale, long seed) {}

  private final Scenario scenario;
  private final Options options;
  private final Consumer<String> log;
  private final LiveInputs inputs;
  private final ServerSocket listener;
  private final SimHost host;
  private final ExportEngine engine;
  private final Session.Recorder recorder;
  private final Thread lane;
  private final Thread acceptor;
  private final AtomicInteger connections = new AtomicInteger();
  private final Map<Integer, Connection> open = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> laneDone = new CompletableFuture<>();
  private volatile boolean closing;

  private UsbipServer(Scenario scenario, Options options, Consumer<String> log) throws IOException {
    this.scenario = scenario;
    this.options = options;
    this.log = log;
    this.inputs = new LiveInputs(options.timeScale());
    this.recorder = options.record() == null ? null
        : new Session.Recorder(options.record(), options.seed(), scenario.file(), scenario.source());
    SimRun run = SimRun.builder(options.seed()).inputs(inputs).build();
    this.engine = new ExportEngine(scenario, run, new NetworkOutput(run));
    inputs.attach(engine, recorder);
    this.listener = new ServerSocket();
    listener.setReuseAddress(true);
    listener.bind(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()));
    this.host = SimHost.start("usbip", 1);
    this.lane = new Thread(() -> {
      try {
        host.run(0, run, r -> engine.root());
        laneDone.complete(null);
      } catch (RuntimeException | Error e) {
        laneDone.completeExceptionally(e);
        log.accept("devemu usbip: the device side failed: " + e);
        closeListener();
      }
    }, "usbip-lane");
    this.acceptor = new Thread(this::accept, "usbip-accept");
  }

  /** Binds and starts serving. */
  public static UsbipServer start(Scenario scenario, Options options, Consumer<String> log) throws IOException {
    UsbipServer s = new UsbipServer(scenario, options, log);
    s.lane.start();
    s.acceptor.start();
    return s;
  }

  public int port() {
    return listener.getLocalPort();
  }

  public InetAddress address() {
    return listener.getInetAddress();
  }

  /** The exported busids (every USB device of the scenario). */
  public List<String> busids() {
    return engine.busids();
  }

  /** Completes when the device side stops (after {@link #close}, or if it failed). */
  public CompletableFuture<Void> done() {
    return laneDone;
  }

  private void accept() {
    while (!closing) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (!closing && !listener.isClosed()) log.accept("devemu usbip: accept failed: " + e.getMessage());
        if (listener.isClosed()) return;
        continue;
      }
      int id = connections.incrementAndGet();
      Connection c = new Connection(id, s);
      open.put(id, c);
      inputs.offer(new ExportEngine.Open(id));
      c.start();
    }
  }

  /**
   * Stops accepting, closes every connection, lets the lane deliver what already arrived, ends the session file.
   */
  @Override
  public void close() {
    if (closing) return;
    closing = true;
    closeListener();
    for (Connection c : open.values()) c.shutdown();
    inputs.stop();
    try {
      laneDone.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // reported by the lane thread itself
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (recorder != null) {
      try {
        recorder.close();
      } catch (IOException e) {
        log.accept("devemu usbip: cannot write " + options.record() + ": " + e.getMessage());
      }
    }
    host.close();
  }

  private void closeListener() {
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Answers from the lane: recorded with their virtual time, queued to the connection's writer. */
  private final class NetworkOutput implements ExportEngine.Output {
    private final SimRun run;

    NetworkOutput(SimRun run) {
      this.run = run;
    }

    @Override
    public void send(int conn, byte[] bytes) {
      if (recorder != null) recorder.output(Session.data(run.clock().now(), conn, bytes));
      Connection c = open.get(conn);
      if (c != null) c.write(bytes);
    }

    @Override
    public void close(int conn, String why) {
      if (recorder != null) recorder.output(Session.close(run.clock().now(), conn, why));
      Connection c = open.get(conn);
      if (c != null) c.finish(why);
    }

    @Override
    public void imported(int conn, boolean ok) {
      Connection c = open.get(conn);
      if (c != null) c.importDecided.complete(ok);
    }

    @Override
    public void log(String line) {
      log.accept(line);
    }

    @Override
    public void released(int conn, int urbs) {
      Connection c = open.get(conn);
      if (c != null && urbs > 0) c.inFlight.release(urbs);
    }
  }

  private static final byte[] CLOSE = new byte[0];

  /** One client: a reader that frames messages, a writer that sends answers in order. */
  private final class Connection {
    final int id;
    final Socket socket;
    final CompletableFuture<Boolean> importDecided = new CompletableFuture<>();
    final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    final AtomicLong queued = new AtomicLong();
    volatile boolean finished;

    Connection(int id, Socket socket) {
      this.id = id;
      this.socket = socket;
    }

    void start() {
      try {
        socket.setTcpNoDelay(true);
      } catch (SocketException e) {
        // only a latency hint
      }
      Thread r = new Thread(this::read, "usbip-conn-" + id + "-rx");
      Thread w = new Thread(this::writeLoop, "usbip-conn-" + id + "-tx");
      r.setDaemon(true);
      w.setDaemon(true);
      r.start();
      w.start();
    }

    void write(byte[] bytes) {
      if (finished) return;
      if (queued.addAndGet(bytes.length) > MAX_QUEUED_BYTES) {
        log.accept("devemu usbip: connection " + id + " does not read its answers; disconnecting it");
        shutdown();
        return;
      }
      outbox.add(bytes);
    }

    /** The lane ended the connection: send what is queued, then close. */
    void finish(String why) {
      finished = true;
      importDecided.complete(false);
      outbox.add(CLOSE);
    }

    /** Closes the socket now (server shutdown, or a client that does not read). */
    void shutdown() {
      try {
        socket.close();
      } catch (IOException e) {
        // closed anyway
      }
      importDecided.complete(false);
      outbox.add(CLOSE);
    }

    private void writeLoop() {
      try (OutputStream out = socket.getOutputStream()) {
        while (true) {
          byte[] b = outbox.take();
          if (b == CLOSE) break;
          queued.addAndGet(-b.length);
          out.write(b);
          if (outbox.isEmpty()) out.flush();
        }
        out.flush();
      } catch (IOException e) {
        // The client went away. The reader reports it when it reads the end of the stream, but a reader held
        // back by the in-flight cap (a flood of URBs the device serves slowly) would not get there until the
        // device had served everything buffered before it: tell the lane now, so the device is released.
        eofFromWriter();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        try {
          socket.close();
        } catch (IOException e) {
          // closed anyway
        }
        open.remove(id);
      }
    }

    private void read() {
      try {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] op = new byte[UsbipProtocol.OP_COMMON_SIZE];
        in.readFully(op);
        UsbipProtocol.OpCommon common = UsbipProtocol.OpCommon.decode(op);
        if (common.version() != UsbipProtocol.VERSION) {
          bad(String.format("protocol version 0x%04x, expected 0x%04x", common.version(), UsbipProtocol.VERSION));
          return;
        }
        if (common.code() == UsbipProtocol.OP_REQ_DEVLIST) {
          inputs.offer(new ExportEngine.Op(id, op));
          return; // usbipd answers one request per connection, then closes it
        }
        if (common.code() != UsbipProtocol.OP_REQ_IMPORT) {
          bad(String.format("unknown operation 0x%04x", common.code()));
          return;
        }
        byte[] busid = new byte[UsbipProtocol.BUSID_SIZE];
        in.readFully(busid);
        inputs.offer(new ExportEngine.Op(id, UsbipProtocol.concat(op, busid)));
        if (!importDecided.get()) return;
        readUrbs(in);
      } catch (EOFException e) {
        eof(true);
      } catch (IOException e) {
        eof(false);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException e) {
        // not completed exceptionally
      }
    }

    private void readUrbs(DataInputStream in) throws IOException, InterruptedException {
      byte[] header = new byte[UsbipProtocol.HEADER_SIZE];
      while (!finished) {
        try {
          in.readFully(header, 0, 1); // a clean end of stream between messages is not a truncation
        } catch (EOFException e) {
          eof(false);
          return;
        }
        in.readFully(header, 1, header.length - 1);
        int payload;
        try {
          payload = UsbipProtocol.payloadLength(header, true);
        } catch (UsbipProtocol.ProtocolException e) {
          bad(e.getMessage());
          return;
        }
        byte[] msg = Arrays.copyOf(header, header.length + payload);
        in.readFully(msg, header.length, payload);
        if (readInt(header, 0) == UsbipProtocol.CMD_SUBMIT) {
          // an isochronous URB weighs its packets: the cap bounds the device's queue, not just the URBs
          int weight = UsbipProtocol.submitWeight(header);
          while (!inFlight.tryAcquire(weight, 100, TimeUnit.MILLISECONDS)) {
            if (finished || closing) return;
          }
        }
        inputs.offer(new ExportEngine.Urb(id, msg));
      }
    }

    private void eofFromWriter() {
      if (!finished) eof(false);
    }

    private void eof(boolean truncated) {
      if (finished || closing) return;
      inputs.offer(truncated ? new ExportEngine.Bad(id, "truncated message") : new ExportEngine.Eof(id));
    }

    private void bad(String why) {
      if (finished || closing) return;
      log.accept("devemu usbip: connection " + id + ": " + why + "; closing it");
      inputs.offer(new ExportEngine.Bad(id, why));
    }
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}
