/**
 * Faults a scenario injects, below hardware and kernel alike: probabilistic fault points (plug-ins declare theirs), and the life-cycle moments of each slot a fault plan can wait for.
 */
package dev.devemu.fault;
