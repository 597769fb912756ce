/** Guest drivers: the mirror of the Rust kernel crate ({@code api}) and the sample drivers written on it. */
package dev.devemu.driver;
