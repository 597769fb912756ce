/** The command line: {@code devemu run|replay|explore|shrink|campaign|lspci|modalias|node|status|bench}. */
package dev.devemu.cli;
