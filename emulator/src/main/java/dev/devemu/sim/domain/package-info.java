/**
 * Time domains: one testbed split into named domains (the guest, each device or group of devices), each on a
 * lane of its own with its own virtual clock and scheduling stream, joined by links with a stated minimum
 * latency and run in conservative time windows, so that one thread or N threads give the same trace. See
 * docs/domains.md.
 */
package dev.devemu.sim.domain;
