/**
 * Plug-ins: the buses, devices, drivers and workloads a scenario can name, each registered in META-INF/services and found by scenario.Catalog.
 */
package dev.devemu.plugin;
