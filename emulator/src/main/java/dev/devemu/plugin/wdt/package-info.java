/** The sample PCI watchdog ({@code type = sample-wdt}) and its driver ({@code name = my_wdt}). */
package dev.devemu.plugin.wdt;
