/** The platform bus: software devices matched to drivers by name, bound at boot and unbound on request. */
package dev.devemu.kernel.platform;
