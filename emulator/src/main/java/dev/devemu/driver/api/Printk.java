package dev.devemu.driver.api;

import dev.devemu.kernel.Op;

/** pr_info!, pr_err!, dev_info! and friends: one line in the kernel log, as a kernel call. */
public final class Printk {
  private Printk() {}

  public static Op<Void> info(String text) {
    return Op.step("printk", x -> {
      x.kernel().printk(text);
      return null;
    });
  }

  public static Op<Void> err(String text) {
    return Op.step("printk", x -> {
      x.kernel().printk(text);
      return null;
    });
  }
}
