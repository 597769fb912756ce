/** Finding bugs and making them small: seed exploration with per-strategy statistics, and trace shrinking. */
package dev.devemu.explore;
