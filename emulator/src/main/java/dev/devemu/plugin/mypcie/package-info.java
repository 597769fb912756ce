/**
 * The sample PCIe card ({@code type = sample-pcie}) and the article's driver for it ({@code name = my_pcie}).
 */
package dev.devemu.plugin.mypcie;
