/** my_wdt: arms the sample PCI watchdog and answers each pretimeout interrupt with a keepalive. */
package dev.devemu.driver.samples.wdt;
