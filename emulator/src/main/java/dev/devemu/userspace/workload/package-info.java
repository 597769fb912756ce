/** Workloads of user processes: scenario-configured programs that exercise device nodes with system calls. */
package dev.devemu.userspace.workload;
