package dev.devemu.kernel.pci;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Modalias strings as drivers/pci/pci-sysfs.c prints them ("pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X"). */
class ModaliasTest {
  @Test
  void pciModaliasMatchesTheKernelFormat() {
    // an Intel 82574L NIC as /sys/bus/pci/devices/*/modalias shows it on a real machine
    assertEquals("pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00",
        Modalias.pci(0x8086, 0x10d3, 0x8086, 0xa01f, 0x020000));
    // an xHCI controller: the programming interface is the last field
    assertEquals("pci:v00001B36d0000000Dsv00001AF4sd00001100bc0Csc03i30",
        Modalias.pci(0x1b36, 0x000d, 0x1af4, 0x1100, 0x0c0330));
  }
}
