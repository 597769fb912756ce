/** The driver core: driver instances as actors, and what binding a driver to a device means for any bus. */
package dev.devemu.kernel.driver;
