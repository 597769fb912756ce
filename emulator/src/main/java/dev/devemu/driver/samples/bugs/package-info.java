/**
 * The bug zoo's drivers: my_pcie, my_usb, my_char and the IPU6 camera's ipu6_isys written with C habits and corrected, each able to make exactly
 * one known mistake (its {@code Defect}), so that a benchmark can count which of them devemu finds.
 */
package dev.devemu.driver.samples.bugs;
