/** Platform drivers, raw and safe: probe and remove for software devices matched by name. */
package dev.devemu.driver.api.platform;
