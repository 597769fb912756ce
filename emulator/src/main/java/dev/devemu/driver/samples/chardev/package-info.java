/**
 * my_char: the article's char device with GET_VERSION / SET_CONFIG ioctls and a read of the config, raw and safe.
 * The article's per-call {@code pr_info!} lines are left out — at thousands of calls per second they would push
 * everything else out of the log ring; registration, opens and errors are still logged.
 */
package dev.devemu.driver.samples.chardev;
