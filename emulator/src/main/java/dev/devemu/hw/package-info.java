/**
 * Emulated hardware: what the fault plan does to slots, and what hardware sends up to a bus's host side. Hardware never names a kernel or driver type.
 */
package dev.devemu.hw;
