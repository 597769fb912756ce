/**
 * The USB 3.2 bulk device ({@code type = usb-bulk}) and the article's driver for it ({@code name = my_usb}).
 */
package dev.devemu.plugin.myusb;
