/**
 * USB chapter 9 as the standard defines it, shared by the emulated hardware and the guest kernel: descriptors, setup packets, speeds, device states, port names.
 */
package dev.devemu.spec.usb;
