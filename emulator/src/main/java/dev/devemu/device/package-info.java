/** Device models, one sub-package per kind of hardware. */
package dev.devemu.device;
