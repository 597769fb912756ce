/** The VFS slice char devices need: device nodes, user processes' descriptors and memory, system calls, uaccess. */
package dev.devemu.kernel.fs;
