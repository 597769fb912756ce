/** Campaigns: many seeded runs of one scenario, executed by a backend (local threads or a cluster), aggregated into rates. */
package dev.devemu.campaign;
