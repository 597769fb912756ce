/** What a run leaves for people and machines: the report text, the JSON report file and the Perfetto timeline. */
package dev.devemu.report;
