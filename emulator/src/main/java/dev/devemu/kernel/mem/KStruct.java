package dev.devemu.kernel.mem;

/**
 * A driver's C struct, laid out field by field so that KASAN and KCSAN can name what was touched
 * ({@code Write of size 8 at addr … — 16 bytes inside struct my_usb_data}). Subclasses declare fields in their
 * constructor with {@link #field}; the struct becomes real memory when the driver allocates it.
 */
public abstract class KStruct {
  private final String typeName;
  private int size;
  /** Fields declared so far (during construction): the index of the next field's shared layout. */
  private int declared;
  private Allocation allocation;

  protected KStruct(String typeName) {
    this.typeName = typeName;
  }

  /** Declares the next field; offsets follow C's natural alignment. */
  protected final <T> Field<T> field(String name, int sizeBytes, T initial) {
    int align = Math.min(8, Integer.highestOneBit(Math.max(1, sizeBytes)));
    size = (size + align - 1) / align * align;
    Field<T> f = new Field<>(this, FieldLayout.of(getClass(), declared++, typeName, name, size, sizeBytes, 0, 0),
        initial);
    size += sizeBytes;
    return f;
  }

  /** Declares an array field of {@code count} elements of {@code elementSize} bytes. */
  protected final <T> FieldArray<T> array(String name, int count, int elementSize) {
    int align = Math.min(8, Integer.highestOneBit(Math.max(1, elementSize)));
    size = (size + align - 1) / align * align;
    FieldArray<T> a = new FieldArray<>(this,
        FieldLayout.of(getClass(), declared++, typeName, name, size, count * elementSize, count, elementSize));
    size += count * elementSize;
    return a;
  }

  public final String typeName() {
    return typeName;
  }

  /** Size in bytes, padded to 8 like a kmalloc'd struct. */
  public final int size() {
    return Math.max(8, (size + 7) / 8 * 8);
  }

  /** The memory holding this struct; null until allocated. */
  public final Allocation allocation() {
    return allocation;
  }

  final void bind(Allocation allocation) {
    if (this.allocation != null) throw new IllegalStateException(typeName + " allocated twice");
    this.allocation = allocation;
  }
}
