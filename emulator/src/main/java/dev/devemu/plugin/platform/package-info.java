/**
 * The platform bus as a plug-in: software devices matched to drivers by name.
 */
package dev.devemu.plugin.platform;
