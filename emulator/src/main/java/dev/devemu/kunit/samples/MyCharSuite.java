package dev.devemu.kunit.samples;

import static dev.devemu.driver.samples.chardev.MyCharAbi.GET_VERSION;
import static dev.devemu.driver.samples.chardev.MyCharAbi.NODE;
import static dev.devemu.driver.samples.chardev.MyCharAbi.SET_CONFIG;

import dev.devemu.kernel.fs.File;
import dev.devemu.kunit.KunitSuite;
import dev.devemu.kunit.Mock;
import dev.devemu.kunit.UserScript;
import dev.devemu.uapi.Ioctl;
import dev.devemu.userspace.Syscall;
import java.util.List;

/** my_char through a user process: its ioctls, bad pointers, unknown commands, two processes at once. */
final class MyCharSuite {
  private MyCharSuite() {}

  static byte[] config() {
    byte[] b = new byte[16];
    for (int i = 0; i < 16; i++) b[i] = (byte) (i + 1);
    return b;
  }

  static final KunitSuite SUITE = KunitSuite.named("my_char")
      .test("get_version_returns_0x0100", t -> {
        long[] buf = new long[1];
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.ioctl(3, GET_VERSION, buf[0] = UserScript.buffer(c, new byte[4])));
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).run();
        t.assertEq("open", user.result(0), "3", 3);
        t.expectEq("ioctl(GET_VERSION)", user.result(1), "0", 0);
      })
      .test("set_config_takes_exactly_16_bytes", t -> {
        long[] buf = new long[2];
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.ioctl(3, SET_CONFIG, buf[0] = UserScript.buffer(c, config())),
            c -> Syscall.read(3, buf[1] = UserScript.buffer(c, new byte[16]), 16),
            c -> Syscall.ioctl(3, Ioctl.iow('E', 0xD1, 8), buf[0]));   // SET_CONFIG's number with 8 bytes
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).run();
        t.expectEq("ioctl(SET_CONFIG)", user.result(1), "0", 0);
        t.expectEq("read(16)", user.result(2), "16", 16);
        t.expectErrno("ioctl(SET_CONFIG, 8 bytes)", user.result(3), "ENOTTY");
      })
      .param("bad_pointer_is_efault", List.of("null", "guard_page", "kernel_address"), t -> {
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.ioctl(3, GET_VERSION, badPointer(c, t.param())));
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).run();
        t.expectErrno("ioctl(GET_VERSION, bad)", user.result(1), "EFAULT");
      })
      .test("read_into_null_is_efault", t -> {
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.read(3, UserScript.NULL, 16));
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).run();
        t.expectErrno("read(NULL)", user.result(1), "EFAULT");
      })
      .test("unknown_ioctl_is_enotty", t -> {
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.ioctl(3, Ioctl.io('E', 0xEE), 0));
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).run();
        t.expectErrno("ioctl(0xEE)", user.result(1), "ENOTTY");
      })
      .test("failed_set_config_does_not_wedge_the_next", t -> {
        long[] buf = new long[1];
        UserScript user = UserScript.of(
            c -> Syscall.open(NODE, File.O_RDWR),
            c -> Syscall.ioctl(3, SET_CONFIG, UserScript.NULL),
            c -> Syscall.ioctl(3, SET_CONFIG, buf[0] = UserScript.buffer(c, config())));
        t.testbed().device(Mock.chardev("my_char")).process("tester", user, 1_000_000L).duration("3s")
            .kernel("hung-task-timeout = 1s").run();
        t.expectErrno("ioctl(SET_CONFIG, NULL)", user.result(1), "EFAULT");
        t.expectEq("ioctl(SET_CONFIG)", user.result(2), "0", 0);
      })
      .concurrent("concurrent_ioctls_from_two_processes", 20, t -> {
        t.testbed().device(Mock.chardev("my_char")).duration("10ms")
            .workload("{ kind = process, device = \"" + NODE + "\", processes = 2, think-time = 50us, "
                + "mix { read = 1, ioctl = 2 }, ioctls = [ GET_VERSION, SET_CONFIG ] }")
            .run();
      })
      .build();

  static long badPointer(dev.devemu.userspace.UserContext c, String kind) {
    return switch (kind) {
      case "null" -> UserScript.NULL;
      case "guard_page" -> UserScript.guardPage(c, 4);
      default -> UserScript.KERNEL_ADDRESS;
    };
  }
}
