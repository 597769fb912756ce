/**
 * KUnit suites for the four sample drivers ({@code my_pcie}, {@code my_usb}, {@code my_char}, {@code ipu6_isys}),
 * run by {@code ./devemu kunit} and inside {@code mvn verify}. Each case is written for the driver's contract; the
 * raw variants fail the cases their bugs break, and those failures are the point.
 */
package dev.devemu.kunit.samples;
