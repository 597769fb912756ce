/** Test support shared by every test: traps for errors that Pekko would otherwise only log. */
package dev.devemu.testsupport;
