/** Distributed campaigns on Pekko Cluster: the coordinator singleton and its journal, the workers, node lifecycle and the HTTP door. */
package dev.devemu.cluster;
