/**
 * {@code devemu usbip}: the scenario's USB device models exported over USB/IP to real Linux hosts, live (the
 * virtual clock follows the wall clock), with every session recorded as a trace that replays byte for byte.
 */
package dev.devemu.usbip;
