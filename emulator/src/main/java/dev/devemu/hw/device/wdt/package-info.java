/** The sample PCI watchdog's model ({@code type = sample-wdt}); its register map is in {@code datasheet}. */
package dev.devemu.hw.device.wdt;
