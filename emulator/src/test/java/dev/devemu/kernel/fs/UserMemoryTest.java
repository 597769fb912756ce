package dev.devemu.kernel.fs;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** access_ok's range check, and demand paging as the atomic copies see it. */
class UserMemoryTest {
  @Test
  void accessOkChecksTheRangeNotTheMapping() {
    assertTrue(UserMemory.rangeOk(0, 16), "NULL is a user address: the copy, not access_ok, fails on it");
    assertTrue(UserMemory.rangeOk(UserMemory.MMAP_BASE + 123, 4096));
    assertFalse(UserMemory.rangeOk(0xffff888100000000L, 4), "a kernel address");
    assertFalse(UserMemory.rangeOk(UserMemory.TASK_SIZE - 4, 8), "a range that ends above TASK_SIZE");
    assertFalse(UserMemory.rangeOk(Long.MAX_VALUE - 2, 8), "a range that wraps");
  }

  @Test
  void anAtomicCopyStopsAtAPageThatIsNotResident() {
    UserMemory mm = new UserMemory();
    long fresh = mm.map(8192);
    byte[] data = new byte[8192];
    assertFalse(mm.resident(fresh));
    assertEquals(8192, mm.copyToInatomic(fresh, data, 0, 8192), "nothing is resident: nothing copied");

    mm.poke(fresh, new byte[1]); // the process touches the first page only
    assertTrue(mm.resident(fresh));
    assertFalse(mm.resident(fresh + 4096));
    assertEquals(8000 - (4096 - 100), mm.copyToInatomic(fresh + 100, data, 0, 8000),
        "it copies up to the end of the resident page and no further");

    assertEquals(0, mm.copyTo(fresh + 4096, data, 0, 10), "copy_to_user faults the page in");
    assertTrue(mm.resident(fresh + 4096));
    assertEquals(0, mm.copyToInatomic(fresh, data, 0, 8192));
    assertEquals(16, mm.copyToInatomic(0, data, 0, 16), "NULL is never resident");
  }
}
