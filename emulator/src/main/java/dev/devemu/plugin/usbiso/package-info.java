/** The isochronous streaming USB device ({@code type = usb-iso}, abcd:1235), for USB/IP exports. */
package dev.devemu.plugin.usbiso;
