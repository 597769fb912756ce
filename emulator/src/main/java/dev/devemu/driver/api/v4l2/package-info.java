/**
 * The V4L2 core drivers sit on: video device nodes, ioctl argument copying, raw and safe ioctl operations.
 *
 * <p>Mainline: there is no Rust V4L2 abstraction in mainline Linux (as of 6.18); {@code SafeVideoDevice} and
 * {@code SafeV4l2Ops} go beyond mainline.
 */
package dev.devemu.driver.api.v4l2;
