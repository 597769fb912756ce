/** User-space ABI both sides share, mirroring {@code include/uapi/linux}: ioctl numbers and struct layouts. */
package dev.devemu.uapi;
