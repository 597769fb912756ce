package dev.devemu.kernel.mem;

/**
 * A fixed-size array inside a {@link KStruct}; an index out of range is an out-of-bounds access. Its elements are
 * made on the first write (kzalloc'd memory reads as null until then), so an array a driver never fills costs
 * nothing per instance.
 */
public final class FieldArray<T> {
  private final KStruct owner;
  private final FieldLayout layout;
  private Object[] values;

  FieldArray(KStruct owner, FieldLayout layout) {
    this.owner = owner;
    this.layout = layout;
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

  public int count() {
    return layout.count;
  }

  public int elementSize() {
    return layout.elementSize;
  }

  public String qualifiedName() {
    return layout.qualifiedName;
  }

  public String readLabel() {
    return layout.readLabel;
  }

  public String writeLabel() {
    return layout.writeLabel;
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    return values == null ? null : (T) values[i];
  }

  void set(int i, T v) {
    if (values == null) values = new Object[layout.count];
    values[i] = v;
  }

  /** For reports and tests only. */
  public T peek(int i) {
    java.util.Objects.checkIndex(i, layout.count);
    return get(i);
  }
}
