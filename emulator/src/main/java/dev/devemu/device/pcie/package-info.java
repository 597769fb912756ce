/** The PCIe endpoint the article's my_pcie driver binds to: a small sampling device in the spirit of QEMU's edu. */
package dev.devemu.device.pcie;
