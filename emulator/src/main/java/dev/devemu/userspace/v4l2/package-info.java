/** A V4L2 streaming capture program (what v4l2-ctl --stream-mmap does) as a user-space workload. */
package dev.devemu.userspace.v4l2;
