package dev.devemu.hw.device.camera;

import static dev.devemu.datasheet.Ipu6IsysDatasheet.*;
import static dev.devemu.hw.device.camera.Ipu6IsysDevice.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.devemu.hw.pci.PciConfigSpace;
import dev.devemu.kernel.Kernel;
import dev.devemu.kernel.KernelConfig;
import dev.devemu.kernel.pci.Modalias;
import dev.devemu.sim.SimRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IPU6 ISYS model: its configuration space as pciutils reads it, and its frame engine register by register. */
class Ipu6IsysDeviceTest {
  static final Mode VGA = new Mode(640, 480, 2, 0, 64, 100);
  static final long T = VGA.frameIntervalNanos();
  static final long RING = 0x2_0000_0000L;
  static final long INFO = 0x3_0000_0000L;

  @TempDir
  Path tmp;

  static Ipu6IsysDevice device(Mode mode, Kernel kernel) {
    return new Ipu6IsysDevice(1, mode, kernel == null ? null : kernel.faults());
  }

  static Kernel kernel() {
    return dev.devemu.kernel.init.KernelInit.start(SimRun.builder(3).build(), KernelConfig.DEFAULT);
  }

  /** Programs descriptor {@code slot} READY for a buffer of {@code len} bytes and enables every interrupt. */
  static void ready(Ipu6IsysDevice d, FakeDeviceContext c, int slot, int len) {
    int at = REG_DESC_BASE + slot * DESC_STRIDE;
    long bus = RING + slot * 0x100000L;
    d.writeBar(0, at + DESC_ADDR_LO, 4, bus & 0xFFFFFFFFL, c);
    d.writeBar(0, at + DESC_ADDR_HI, 4, bus >>> 32, c);
    d.writeBar(0, at + DESC_LEN, 4, len, c);
    d.writeBar(0, at + DESC_FLAGS, 4, DESC_READY, c);
  }

  static long reg(Ipu6IsysDevice d, FakeDeviceContext c, int offset) {
    return d.readBar(0, offset, 4, c);
  }

  static FakeDeviceContext started(Ipu6IsysDevice d, int buffers, boolean info) {
    FakeDeviceContext c = new FakeDeviceContext();
    d.writeBar(0, REG_IRQ_ENABLE, 4, IRQ_ALL, c);
    if (info) {
      d.writeBar(0, REG_INFO_LO, 4, INFO & 0xFFFFFFFFL, c);
      d.writeBar(0, REG_INFO_HI, 4, INFO >>> 32, c);
    }
    for (int i = 0; i < buffers; i++) ready(d, c, i, d.mode().frameSize());
    d.writeBar(0, REG_CTRL, 4, CTRL_STREAM_EN, c);
    return c;
  }

  @Test
  void configurationSpaceIsAnIntelMultimediaFunctionWithMsiAndExpress() {
    PciConfigSpace s = device(VGA, null).config();
    assertEquals(0x8086, s.vendorId());
    assertEquals(0x9a19, s.deviceId());
    assertEquals(0x048000, s.classCode());
    assertEquals(BAR0_SIZE, s.barSize(0));
    assertTrue(s.bar64(0));
    assertEquals(0x4, s.read32(PciConfigSpace.BAR0) & 0xF, "64-bit, non-prefetchable memory BAR");
    assertEquals(1, s.read8(PciConfigSpace.INTERRUPT_PIN));
    var caps = s.capabilities();
    assertEquals(3, caps.size());
    assertEquals(PciConfigSpace.CAP_ID_PM, caps.get(0)[0]);
    assertEquals(PciConfigSpace.CAP_ID_MSI, caps.get(1)[0]);
    assertEquals(PciConfigSpace.CAP_ID_EXP, caps.get(2)[0]);
    int msiFlags = s.read16(s.msiCapability() + 2);
    assertEquals(0, (msiFlags >>> 1) & 7, "one MSI vector");
    assertNotEquals(0, msiFlags & PciConfigSpace.MSI_FLAGS_64BIT);
    assertNotEquals(0, msiFlags & PciConfigSpace.MSI_FLAGS_MASKBIT);
    assertEquals("pci:v00008086d00009A19sv00008086sd00009A19bc04sc80i00",
        Modalias.pci(s.vendorId(), s.deviceId(), s.subsystemVendorId(), s.subsystemId(), s.classCode()));
    // BAR size probing reads back the size mask, in both halves of the 64-bit BAR
    s.write(PciConfigSpace.BAR0, 4, 0xFFFFFFFF);
    s.write(PciConfigSpace.BAR0 + 4, 4, 0xFFFFFFFF);
    assertEquals(BAR0_SIZE, (~(s.read32(PciConfigSpace.BAR0) & 0xFFFFFFF0L) + 1) & 0xFFFFFFFFL);
    assertEquals(0xFFFFFFFF, s.read32(PciConfigSpace.BAR0 + 4));
  }

  /** pciutils, not our own reading, decides whether the bytes are a valid function (skipped without lspci). */
  @Test
  void pciutilsDecodesTheConfigurationSpace() throws Exception {
    boolean required = "1".equals(System.getenv("DEVEMU_REQUIRE_TOOLS"));
    boolean present;
    try {
      Process p = new ProcessBuilder("lspci", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      present = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      present = false;
    }
    assertFalse(required && !present, "lspci is required (DEVEMU_REQUIRE_TOOLS=1) but not installed");
    assumeTrue(present, "pciutils not installed");
    PciConfigSpace s = device(VGA, null).config();
    s.write(PciConfigSpace.BAR0, 4, 0xfe000000);
    s.write(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_MASTER);
    byte[] config = s.snapshot();
    StringBuilder dump = new StringBuilder("0000:00:05.0 0480: 8086:9a19 (rev 01)\n");
    for (int row = 0; row < 256; row += 16) {
      dump.append(String.format("%02x:", row));
      for (int i = 0; i < 16; i++) dump.append(String.format(" %02x", config[row + i] & 0xff));
      dump.append('\n');
    }
    Path file = tmp.resolve("ipu6.lspci");
    Files.writeString(file, dump.append('\n').toString());
    Process p = new ProcessBuilder("lspci", "-F", file.toString(), "-vv").redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.startsWith("00:05.0 Multimedia controller: Intel Corporation"), out);
    assertTrue(out.contains("Region 0: Memory at fe000000 (64-bit, non-prefetchable)"), out); // a dump has no sizes
    assertTrue(out.contains("Capabilities: [40] Power Management version 3"), out);
    assertTrue(out.contains("MSI: Enable- Count=1/1 Maskable+ 64bit+"), out);
    assertTrue(out.contains("Express (v2) Endpoint"), out);
    for (String bad : new String[] {"<?>", "<unknown>", "Unknown", "corrupted", "Malformed", "chain broken"}) {
      assertFalse(out.contains(bad), "lspci complains (" + bad + "):\n" + out);
    }
  }

  @Test
  void framesAreWrittenIntoTheRingAndReportedWithAnInfoRecordThenAnInterrupt() {
    Ipu6IsysDevice d = device(VGA, null);
    FakeDeviceContext c = started(d, 2, true);
    assertEquals(STATUS_STREAMING, reg(d, c, REG_STATUS) & STATUS_STREAMING);
    c.runUntil(d, 2 * T);
    // first frame: image into slot 0, then its 32-byte info record, then the MSI
    assertEquals(RING, c.dmas.get(0).bus());
    assertEquals(VGA.frameSize(), c.dmas.get(0).length());
    assertEquals(INFO, c.dmas.get(1).bus());
    assertEquals(INFO_RECORD_SIZE, c.dmas.get(1).length());
    int desc0 = REG_DESC_BASE + DESC_FLAGS;
    assertEquals(DESC_DONE, reg(d, c, desc0));
    assertEquals(VGA.frameSize(), reg(d, c, REG_DESC_BASE + DESC_BYTESUSED));
    assertEquals(0, reg(d, c, REG_DESC_BASE + DESC_SEQUENCE));
    assertNotEquals(0, reg(d, c, REG_IRQ_STATUS) & IRQ_FRAME_DONE);
    assertFalse(c.interruptTimes.isEmpty());
    // the third frame finds no ready descriptor: dropped, and its sequence number is skipped
    c.runUntil(d, 4 * T);
    assertEquals(2, reg(d, c, REG_FRAME_COUNT));
    assertTrue(reg(d, c, REG_DROP_COUNT) >= 1);
    assertNotEquals(0, reg(d, c, REG_IRQ_STATUS) & IRQ_NO_BUFFER);
    d.writeBar(0, REG_IRQ_CLEAR, 4, IRQ_ALL, c);
    assertEquals(0, reg(d, c, REG_IRQ_STATUS));
    ready(d, c, 2, VGA.frameSize());
    c.runUntil(d, 6 * T);
    assertEquals(DESC_DONE, reg(d, c, REG_DESC_BASE + 2 * DESC_STRIDE + DESC_FLAGS));
    assertTrue(reg(d, c, REG_DESC_BASE + 2 * DESC_STRIDE + DESC_SEQUENCE) > 2, "a gap in the sequence");
  }

  @Test
  void aStopDuringAFrameIsAcknowledgedWithThatFramesInterruptAndFlushesTheRing() {
    Ipu6IsysDevice d = device(VGA, null);
    FakeDeviceContext c = started(d, 4, true);
    // run to the middle of a frame: the start of frame fired, its end not yet
    while ((reg(d, c, REG_STATUS) & STATUS_CAPTURING) == 0) c.fireNext(d);
    d.writeBar(0, REG_CTRL, 4, 0, c);
    assertEquals(STATUS_STREAMING | STATUS_CAPTURING | STATUS_STOPPING, reg(d, c, REG_STATUS));
    c.fireNext(d); // end of frame: the image goes out
    assertEquals(STATUS_DMA_BUSY, reg(d, c, REG_STATUS) & STATUS_DMA_BUSY);
    c.completeDmas(d, 0);
    assertEquals(IRQ_FRAME_DONE | IRQ_STOP_DONE, reg(d, c, REG_IRQ_STATUS));
    assertEquals(0, reg(d, c, REG_STATUS));
    for (int slot = 1; slot < 4; slot++) {
      assertEquals(0, reg(d, c, REG_DESC_BASE + slot * DESC_STRIDE + DESC_FLAGS) & DESC_READY, "flushed");
    }
    int dmas = c.dmas.size();
    c.runUntil(d, 10 * T);
    assertEquals(dmas, c.dmas.size(), "nothing more is written after the stop");
  }

  @Test
  void aStopBetweenFramesIsAcknowledgedAloneAfterTheFirmwaresLatency() {
    Ipu6IsysDevice d = device(VGA, null);
    FakeDeviceContext c = started(d, 4, false);
    c.runUntil(d, T * 3 / 2);
    while ((reg(d, c, REG_STATUS) & STATUS_CAPTURING) != 0) {
      c.fireNext(d);
      c.completeDmas(d, 0);
    }
    d.writeBar(0, REG_IRQ_CLEAR, 4, IRQ_ALL, c);
    d.writeBar(0, REG_CTRL, 4, 0, c);
    c.runUntil(d, c.now() + 1_000_000);
    assertEquals(IRQ_STOP_DONE, reg(d, c, REG_IRQ_STATUS));
    assertEquals(0, reg(d, c, REG_STATUS));
  }

  @Test
  void aShortDescriptorTruncatesTheFrameAndAResetOrphansATransferInFlight() {
    Ipu6IsysDevice d = device(VGA, null);
    FakeDeviceContext c = new FakeDeviceContext();
    d.writeBar(0, REG_IRQ_ENABLE, 4, IRQ_ALL, c);
    ready(d, c, 0, 1000);
    ready(d, c, 1, VGA.frameSize());
    d.writeBar(0, REG_CTRL, 4, CTRL_STREAM_EN, c);
    c.runUntil(d, T * 3 / 2);
    assertEquals(1000, c.dmas.get(0).length(), "never more than the descriptor allows");
    assertEquals(DESC_DONE | DESC_ERROR, reg(d, c, REG_DESC_BASE + DESC_FLAGS));
    assertNotEquals(0, reg(d, c, REG_IRQ_STATUS) & IRQ_TRUNCATED);
    // the next frame's transfer is out when the driver resets the device: DMA_BUSY until it lands
    while (c.dmas.size() < 2) c.fireNext(d);
    d.writeBar(0, REG_CTRL, 4, CTRL_SOFT_RESET, c);
    assertEquals(STATUS_DMA_BUSY, reg(d, c, REG_STATUS));
    c.completeDmas(d, 0);
    assertEquals(0, reg(d, c, REG_STATUS));
    assertEquals(0, reg(d, c, REG_DESC_BASE + DESC_STRIDE + DESC_FLAGS) & DESC_DONE, "the orphan finished no frame");
    assertEquals(0, reg(d, c, REG_FRAME_COUNT));
  }

  @Test
  void faultPointsLoseTheStopTheInterruptOrTheFrame() {
    Kernel k = kernel();
    k.faults().set(FAULT_STOP_LOST, 1.0);
    Ipu6IsysDevice d = device(VGA, k);
    FakeDeviceContext c = started(d, 4, false);
    c.runUntil(d, T);
    d.writeBar(0, REG_CTRL, 4, 0, c);
    c.runUntil(d, 3 * T);
    assertEquals(STATUS_STREAMING, reg(d, c, REG_STATUS) & (STATUS_STREAMING | STATUS_STOPPING),
        "the stop was lost: still streaming");
    d.writeBar(0, REG_CTRL, 4, CTRL_SOFT_RESET, c);
    c.completeDmas(d, 0);
    assertEquals(0, reg(d, c, REG_STATUS), "a soft reset stops it");

    Kernel k2 = kernel();
    k2.faults().set(FAULT_IRQ_LOST, 1.0);
    k2.faults().set(FAULT_FIFO_OVERFLOW, 1.0);
    Ipu6IsysDevice d2 = device(VGA, k2);
    FakeDeviceContext c2 = started(d2, 2, false);
    c2.runUntil(d2, 2 * T);
    assertTrue(c2.interruptTimes.isEmpty(), "every MSI was lost");
    assertTrue(c2.dmas.isEmpty(), "an overflowed FIFO writes nothing");
    int both = IRQ_FRAME_DONE | IRQ_FIFO_OVERFLOW;
    assertEquals(both, reg(d2, c2, REG_IRQ_STATUS) & both);
    assertEquals(DESC_DONE | DESC_ERROR, reg(d2, c2, REG_DESC_BASE + DESC_FLAGS));
  }

  @Test
  void theSensorModeDecidesTheFrameSize() {
    Mode raw10 = new Mode(1936, 1096, 2, 2, 64, 30);
    assertEquals(3904, raw10.stride(), "1936 * 2 = 3872 bytes, rounded up to 64");
    assertEquals(3904 * 1098, raw10.frameSize());
    assertEquals(1936 * 1096 * 2, raw10.packedImageSize());
    Ipu6IsysDevice d = device(raw10, null);
    FakeDeviceContext c = new FakeDeviceContext();
    assertEquals(raw10.frameSize(), reg(d, c, REG_FRAME_SIZE));
    assertEquals(3904, reg(d, c, REG_STRIDE));
    assertEquals(2, reg(d, c, REG_EMBEDDED_LINES));
    assertEquals(33_333, reg(d, c, REG_FRAME_INTERVAL));
    assertThrows(IllegalArgumentException.class, () -> new Mode(640, 480, 2, 0, 48, 30));
  }
}
