/**
 * my_usb: the article's USB 3.2 driver — requires SuperSpeedPlus, streams bulk IN data (echoing records back on the
 * OUT endpoint), cancels and waits at disconnect.
 */
package dev.devemu.driver.samples.usb;
