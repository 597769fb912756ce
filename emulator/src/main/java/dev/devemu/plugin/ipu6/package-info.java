/**
 * The IPU6-style camera ({@code type = ipu6-isys}), its driver ({@code name = ipu6_isys}) and the V4L2 capture workload.
 */
package dev.devemu.plugin.ipu6;
