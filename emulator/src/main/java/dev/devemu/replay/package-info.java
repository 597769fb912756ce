/** What makes a run happen again: run recipes, strategy specs (with PCT's measured k), and running them. */
package dev.devemu.replay;
