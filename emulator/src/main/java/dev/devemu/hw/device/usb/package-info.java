/**
 * The USB 3.2 bulk device my_usb drives.
 */
package dev.devemu.hw.device.usb;
