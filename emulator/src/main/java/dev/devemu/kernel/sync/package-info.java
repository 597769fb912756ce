/** Kernel synchronisation as lockdep sees it: spinlocks, mutexes and completions whose holders and waiters are tracked. */
package dev.devemu.kernel.sync;
