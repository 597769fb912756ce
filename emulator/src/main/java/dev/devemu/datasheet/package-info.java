/**
 * One datasheet per device: the IDs, register maps and descriptor constants that a device model implements and a driver is written from. Drivers import these, never a device model.
 */
package dev.devemu.datasheet;
