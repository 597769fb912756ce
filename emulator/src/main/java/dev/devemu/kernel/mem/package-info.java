/** Kernel memory as KASAN sees it: tracked allocations with their history, driver structs and their fields. */
package dev.devemu.kernel.mem;
