/** my_pcie: probe enables the device, maps BAR0, checks the revision; its interrupt handler stores samples. */
package dev.devemu.driver.samples.pcie;
