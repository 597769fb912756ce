/**
 * The bug zoo: corrected sample drivers and one variant per known defect ({@link dev.devemu.plugin.bugzoo.BugZoo}),
 * registered as a {@link dev.devemu.scenario.DriverFamily}; the scenarios that exercise them are in
 * {@code scenarios/bugs}.
 */
package dev.devemu.plugin.bugzoo;
