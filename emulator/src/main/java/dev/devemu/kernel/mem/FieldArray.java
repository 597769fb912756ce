package dev.devemu.kernel.mem;

/** A fixed-size array inside a {@link KStruct}; an index out of range is an out-of-bounds access. */
public final class FieldArray<T> {
  private final KStruct owner;
  private final String name;
  private final int offset;
  private final int count;
  private final int elementSize;
  private final Object[] values;
  private String qualifiedName;
  private String readLabel;
  private String writeLabel;

  FieldArray(KStruct owner, String name, int offset, int count, int elementSize) {
    this.owner = owner;
    this.name = name;
    this.offset = offset;
    this.count = count;
    this.elementSize = elementSize;
    this.values = new Object[count];
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

  public int count() {
    return count;
  }

  public int elementSize() {
    return elementSize;
  }

  public String qualifiedName() {
    if (qualifiedName == null) qualifiedName = Labels.of(owner.typeName().replace("struct ", "") + "." + name);
    return qualifiedName;
  }

  public String readLabel() {
    if (readLabel == null) readLabel = Labels.of("read " + name);
    return readLabel;
  }

  public String writeLabel() {
    if (writeLabel == null) writeLabel = Labels.of("write " + name);
    return writeLabel;
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    return (T) values[i];
  }

  void set(int i, T v) {
    values[i] = v;
  }

  /** For reports and tests only. */
  @SuppressWarnings("unchecked")
  public T peek(int i) {
    return (T) values[i];
  }
}
