/** The V4L2 core drivers sit on: video device nodes, ioctl argument copying, raw and safe ioctl operations. */
package dev.devemu.driver.api.v4l2;
