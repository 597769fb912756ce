/**
 * The article's sample drivers, each twice: {@code Raw*} written with C habits, {@code Safe*} with Rust's
 * discipline, over the same devices, so that campaigns measure what the discipline buys.
 */
package dev.devemu.driver.samples;
