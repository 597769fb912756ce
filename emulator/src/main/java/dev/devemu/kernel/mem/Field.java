package dev.devemu.kernel.mem;

/**
 * One field of a {@link KStruct}. Its value is only reachable through kernel memory accesses. Where it lies and
 * what reports call it is shared by all instances of the struct ({@link FieldLayout}).
 */
public final class Field<T> {
  private final KStruct owner;
  private final FieldLayout layout;
  private T value;

  Field(KStruct owner, FieldLayout layout, T initial) {
    this.owner = owner;
    this.layout = layout;
    this.value = initial;
  }

  public KStruct owner() {
    return owner;
  }

  public String name() {
    return layout.name;
  }

  public int offset() {
    return layout.offset;
  }

  public int size() {
    return layout.size;
  }

  /** {@code my_usb_data.in_urb}. */
  public String qualifiedName() {
    return layout.qualifiedName;
  }

  /** {@code read in_urb}: the name of a read of this field as a kernel call. */
  public String readLabel() {
    return layout.readLabel;
  }

  public String writeLabel() {
    return layout.writeLabel;
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
