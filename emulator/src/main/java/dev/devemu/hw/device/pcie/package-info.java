/**
 * The sample PCIe card my_pcie drives: a sampling device in the spirit of QEMU's edu.
 */
package dev.devemu.hw.device.pcie;
