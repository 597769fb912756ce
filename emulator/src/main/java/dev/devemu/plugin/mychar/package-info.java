/**
 * The char-device module's platform device ({@code type = chardev}) and its driver ({@code name = my_char}).
 */
package dev.devemu.plugin.mychar;
