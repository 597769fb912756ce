package dev.devemu.hw.pci;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PciConfigSpaceTest {
  PciConfigSpace space() {
    return PciConfigSpace.builder(0x1234, 0x5678).revision(2).classCode(0x048000).subsystem(0x1af4, 0x1100)
        .memoryBar(0, 4096, false, false).memoryBar(2, 1 << 20, true, true)
        .powerManagement().msi(4, true).msix(8, 2, 0x2000, 0x3000).express(3, 4).build();
  }

  @Test
  void identityIsReadOnly() {
    PciConfigSpace s = space();
    s.write(PciConfigSpace.VENDOR_ID, 4, 0xdeadbeef);
    assertEquals(0x1234, s.vendorId());
    assertEquals(0x5678, s.deviceId());
    assertEquals(0x048000, s.classCode());
    assertEquals(2, s.revision());
  }

  @Test
  void barSizeProbingReadsBackTheSizeMask() {
    PciConfigSpace s = space();
    s.write(PciConfigSpace.BAR0, 4, 0xFFFFFFFF);
    int mask = s.read32(PciConfigSpace.BAR0);
    assertEquals(4096, (~(mask & 0xFFFFFFF0)) + 1);
    // a 64-bit prefetchable BAR: type bits 10b and prefetch bit stay set
    s.write(PciConfigSpace.BAR0 + 8, 4, 0xFFFFFFFF);
    s.write(PciConfigSpace.BAR0 + 12, 4, 0xFFFFFFFF);
    long lo = s.read32(PciConfigSpace.BAR0 + 8) & 0xFFFFFFFFL;
    long hi = s.read32(PciConfigSpace.BAR0 + 12) & 0xFFFFFFFFL;
    assertEquals(0xC, lo & 0xF);
    long size = ~((hi << 32) | (lo & ~0xFL)) + 1;
    assertEquals(1 << 20, size);
    s.write(PciConfigSpace.BAR0 + 8, 4, 0xfe100000);
    s.write(PciConfigSpace.BAR0 + 12, 4, 0x1);
    assertEquals(0x1_fe100000L, s.barAddress(2));
  }

  @Test
  void statusErrorBitsAreWriteOneToClearAndCommandIsWritable() {
    PciConfigSpace s = space();
    assertNotEquals(0, s.read16(PciConfigSpace.STATUS) & PciConfigSpace.STATUS_CAP_LIST);
    s.write(PciConfigSpace.COMMAND, 2, PciConfigSpace.COMMAND_MEMORY | PciConfigSpace.COMMAND_MASTER);
    assertTrue(s.memoryEnabled());
    assertTrue(s.busMaster());
    s.write(PciConfigSpace.STATUS, 2, 0xFFFF); // writing ones clears error bits, never sets the cap list bit off
    assertNotEquals(0, s.read16(PciConfigSpace.STATUS) & PciConfigSpace.STATUS_CAP_LIST);
  }

  @Test
  void capabilitiesFormAChainAndMsiIsProgrammable() {
    PciConfigSpace s = space();
    var caps = s.capabilities();
    assertEquals(4, caps.size());
    assertEquals(PciConfigSpace.CAP_ID_PM, caps.get(0)[0]);
    assertEquals(PciConfigSpace.CAP_ID_MSI, caps.get(1)[0]);
    assertEquals(PciConfigSpace.CAP_ID_MSIX, caps.get(2)[0]);
    assertEquals(PciConfigSpace.CAP_ID_EXP, caps.get(3)[0]);
    int msi = s.msiCapability();
    s.write(msi + 4, 4, 0xFEE01000);
    s.write(msi + 8, 4, 0);
    s.write(msi + 12, 2, 0x22);
    s.write(msi + 2, 2, PciConfigSpace.MSI_FLAGS_ENABLE);
    assertTrue(s.msiEnabled());
    assertEquals(0xFEE01000L, s.msiAddress());
    assertEquals(0x22, s.msiData());
    assertEquals(8, s.msixTableSize());
    assertEquals(2, s.msixTableBar());
    assertEquals(0x2000, s.msixTableOffset());
  }

  @Test
  void misalignedAccessIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> space().read(0x01, 2));
    assertThrows(IllegalArgumentException.class, () -> space().read(0xFE, 4));
  }
}
