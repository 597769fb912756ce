/**
 * The driver core ({@code drivers/base}): matching drivers to devices through their ID tables, binding, probe and
 * remove in driver instances (actors), devres release, the leak check after remove, and the binding notifications
 * every bus gives the same way.
 */
package dev.devemu.kernel.driver;
