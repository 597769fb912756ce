package dev.devemu.driver.samples.chardev;

import dev.devemu.uapi.Ioctl;
import java.util.Map;
import java.util.TreeMap;

/** What user space sees of my_char (its uapi header): the node, the ioctl numbers and the sizes. */
public final class MyCharAbi {
  public static final String NODE = "/dev/my_char";
  /** {@code _IOR('E', 0xD0, 4)}: the driver writes its 32-bit version to the argument. */
  public static final int GET_VERSION = Ioctl.ior('E', 0xD0, 4);
  /** {@code _IOW('E', 0xD1, 16)}: the driver reads 16 bytes of configuration from the argument. */
  public static final int SET_CONFIG = Ioctl.iow('E', 0xD1, 16);
  /** Version 1.0, as the article's static data holds it. */
  public static final int VERSION = 0x0100;
  public static final int CONFIG_LEN = 16;

  private MyCharAbi() {}

  /** The commands by name, for workloads. */
  public static Map<String, Integer> ioctls() {
    Map<String, Integer> m = new TreeMap<>();
    m.put("GET_VERSION", GET_VERSION);
    m.put("SET_CONFIG", SET_CONFIG);
    return m;
  }
}
