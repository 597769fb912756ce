/** The software device a char-device module binds to: a platform device named after its driver. */
package dev.devemu.device.chardev;
