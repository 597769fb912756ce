/**
 * Camera hardware: an IPU6-style input system (ISYS) that DMAs sensor frames into a ring of driver buffers.
 */
package dev.devemu.hw.device.camera;
