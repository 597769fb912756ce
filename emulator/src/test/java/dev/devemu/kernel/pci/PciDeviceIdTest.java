package dev.devemu.kernel.pci;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** pci_match_one_device, rule by rule. */
class PciDeviceIdTest {
  static final int V = 0x1234, D = 0x5678, SV = 0x1af4, SD = 0x1100, CLASS = 0x048000;

  boolean match(PciDeviceId id) {
    return id.matches(V, D, SV, SD, CLASS);
  }

  @Test
  void exactVendorAndDevice() {
    assertTrue(match(PciDeviceId.of(V, D)));
    assertFalse(match(PciDeviceId.of(V, 0x5679)));
    assertFalse(match(PciDeviceId.of(0x8086, D)));
  }

  @Test
  void anyIdMatchesEverything() {
    assertTrue(match(PciDeviceId.of(PciDeviceId.ANY, PciDeviceId.ANY)));
    assertTrue(match(PciDeviceId.of(V, PciDeviceId.ANY)));
    assertFalse(match(PciDeviceId.of(0x8086, PciDeviceId.ANY)));
  }

  @Test
  void subsystemIdsMustMatchWhenGiven() {
    assertTrue(match(PciDeviceId.sub(V, D, SV, SD)));
    assertFalse(match(PciDeviceId.sub(V, D, SV, 0x1101)));
    assertTrue(match(PciDeviceId.sub(V, D, PciDeviceId.ANY, SD)));
  }

  @Test
  void classMatchesUnderItsMask() {
    assertTrue(match(PciDeviceId.ofClass(0x048000, 0xffffff)));
    assertTrue(match(PciDeviceId.ofClass(0x040000, 0xff0000)));
    assertFalse(match(PciDeviceId.ofClass(0x0c0330, 0xffffff)));
    assertTrue(match(PciDeviceId.ofClass(0x0c0330, 0)), "a zero mask ignores the class");
  }

  @Test
  void terminatorEndsTheTable() {
    assertTrue(new PciDeviceId(0, 0, 0, 0, 0, 0, 0).isTerminator());
    assertFalse(PciDeviceId.ofClass(0x040000, 0xff0000).isTerminator());
  }

  @Test
  void modaliasHasTheKernelFormat() {
    assertEquals("pci:v00001234d00005678sv00001AF4sd00001100bc04sc80i00", Modalias.pci(V, D, SV, SD, CLASS));
  }
}
