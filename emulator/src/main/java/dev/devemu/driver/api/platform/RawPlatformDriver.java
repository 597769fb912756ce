package dev.devemu.driver.api.platform;

import dev.devemu.kernel.Op;
import dev.devemu.kernel.platform.PlatformDevice;

/**
 * {@code struct platform_driver} with C semantics: probe returns 0 or -errno and stores what it needs with
 * {@code platform_set_drvdata}; remove undoes it in whatever order the author chose.
 */
public interface RawPlatformDriver {
  String name();

  Op<Integer> probe(PlatformDevice pdev);

  Op<Void> remove(PlatformDevice pdev);
}
