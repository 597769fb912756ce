/** USB device models: the USB 3.2 bulk device the article's my_usb driver binds to. */
package dev.devemu.device.usb;
