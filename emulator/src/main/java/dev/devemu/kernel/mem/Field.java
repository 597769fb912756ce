package dev.devemu.kernel.mem;

/** One field of a {@link KStruct}. Its value is only reachable through kernel memory accesses. */
public final class Field<T> {
  private final KStruct owner;
  private final String name;
  private final int offset;
  private final int size;
  private T value;
  private String qualifiedName;
  private String readLabel;
  private String writeLabel;

  Field(KStruct owner, String name, int offset, int size, T initial) {
    this.owner = owner;
    this.name = name;
    this.offset = offset;
    this.size = size;
    this.value = initial;
  }

  public KStruct owner() {
    return owner;
  }

  public String name() {
    return name;
  }

  public int offset() {
    return offset;
  }

  public int size() {
    return size;
  }

  /** {@code my_usb_data.in_urb}. */
  public String qualifiedName() {
    if (qualifiedName == null) qualifiedName = Labels.of(owner.typeName().replace("struct ", "") + "." + name);
    return qualifiedName;
  }

  /** {@code read in_urb}: the name of a read of this field as a kernel call, built once. */
  public String readLabel() {
    if (readLabel == null) readLabel = Labels.of("read " + name);
    return readLabel;
  }

  public String writeLabel() {
    if (writeLabel == null) writeLabel = Labels.of("write " + name);
    return writeLabel;
  }

  T get() {
    return value;
  }

  void set(T v) {
    value = v;
  }

  /** The value without a memory access: for reports and tests only, never for driver code. */
  public T peek() {
    return value;
  }
}
