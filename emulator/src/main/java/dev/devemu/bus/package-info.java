/** What every bus shares: hot-plug and hot-unplug events and link changes. */
package dev.devemu.bus;
