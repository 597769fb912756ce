package dev.devemu.kernel.mem;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a field of a {@link KStruct} lies and what reports call it: the same for every instance of the struct, so
 * one copy serves all of them (a bound device has its own driver struct; 100,000 of them need not each carry their
 * fields' names, offsets and labels). Instances keep only their values.
 */
final class FieldLayout {
  final String name;
  final int offset;
  final int size;
  /** Elements of an array field; 0 for a plain field. */
  final int count;
  final int elementSize;
  /** {@code my_usb_data.in_urb}. */
  final String qualifiedName;
  /** {@code read in_urb}: the name of a read of this field as a kernel call. */
  final String readLabel;
  final String writeLabel;
  private final String typeName;

  private FieldLayout(String typeName, String name, int offset, int size, int count, int elementSize) {
    this.typeName = typeName;
    this.name = name;
    this.offset = offset;
    this.size = size;
    this.count = count;
    this.elementSize = elementSize;
    this.qualifiedName = Labels.of(typeName.replace("struct ", "") + "." + name);
    this.readLabel = Labels.of("read " + name);
    this.writeLabel = Labels.of("write " + name);
  }

  private boolean is(String typeName, String name, int offset, int size, int count, int elementSize) {
    return this.offset == offset && this.size == size && this.count == count && this.elementSize == elementSize
        && this.name.equals(name) && this.typeName.equals(typeName);
  }

  /**
   * Layouts by struct class, in declaration order: the {@code index}-th field declared by an instance of a class is
   * almost always the {@code index}-th of every other instance. A struct whose fields depend on its constructor's
   * arguments simply gets layouts of its own where they differ.
   */
  private static final ConcurrentHashMap<Class<?>, FieldLayout[]> BY_CLASS = new ConcurrentHashMap<>();

  static FieldLayout of(Class<?> struct, int index, String typeName, String name, int offset, int size, int count,
      int elementSize) {
    FieldLayout[] known = BY_CLASS.get(struct);
    if (known != null && index < known.length && known[index].is(typeName, name, offset, size, count, elementSize)) {
      return known[index];
    }
    FieldLayout fresh = new FieldLayout(typeName, name, offset, size, count, elementSize);
    if (index == (known == null ? 0 : known.length)) {
      BY_CLASS.compute(struct, (k, layouts) -> {
        int n = layouts == null ? 0 : layouts.length;
        if (n != index) return layouts; // another instance got there first
        FieldLayout[] longer = layouts == null ? new FieldLayout[1] : java.util.Arrays.copyOf(layouts, n + 1);
        longer[n] = fresh;
        return longer;
      });
    }
    return fresh;
  }
}
