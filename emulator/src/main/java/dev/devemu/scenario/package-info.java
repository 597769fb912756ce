/** Scenario files (HOCON): parsing, validation with file:line errors, and the catalog of device and driver kinds. */
package dev.devemu.scenario;
