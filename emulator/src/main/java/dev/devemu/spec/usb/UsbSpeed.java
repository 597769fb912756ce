package dev.devemu.spec.usb;

/**
 * Link speeds, with the values of Linux's {@code enum usb_device_speed} ({@code include/uapi/linux/usb/ch9.h}) and
 * the strings of {@code usb_speed_string()}. {@code bytesPerSecond} is the payload rate the link can carry after
 * line coding, which sets how long a transfer spends on the wire.
 */
public enum UsbSpeed {
  LOW(1, "low", "low-speed", 187_500L),
  FULL(2, "full", "full-speed", 1_500_000L),
  HIGH(3, "high", "high-speed", 60_000_000L),
  SUPER(5, "super", "super-speed", 500_000_000L),
  /** SuperSpeedPlus Gen 2x1: 10 Gb/s with 128b/132b coding. */
  SUPER_PLUS(6, "super-plus", "super-speed-plus", 1_212_121_212L);

  private final int linuxValue;
  private final String word;
  private final String linuxName;
  private final long bytesPerSecond;

  UsbSpeed(int linuxValue, String word, String linuxName, long bytesPerSecond) {
    this.linuxValue = linuxValue;
    this.word = word;
    this.linuxName = linuxName;
    this.bytesPerSecond = bytesPerSecond;
  }

  /** {@code USB_SPEED_*}. */
  public int linuxValue() {
    return linuxValue;
  }

  /** The scenario word: {@code low}, {@code full}, {@code high}, {@code super}, {@code super-plus}. */
  public String word() {
    return word;
  }

  /** {@code usb_speed_string()}: {@code high-speed}, {@code super-speed-plus}. */
  public String linuxName() {
    return linuxName;
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  public boolean superSpeed() {
    return this == SUPER || this == SUPER_PLUS;
  }

  /** Virtual nanoseconds {@code bytes} take on the wire at this speed (at least 1). */
  public long wireNanos(int bytes) {
    return Math.max(1L, bytes * 1_000_000_000L / bytesPerSecond);
  }

  public static UsbSpeed fromLinux(int value) {
    for (UsbSpeed s : values()) {
      if (s.linuxValue == value) return s;
    }
    throw new IllegalArgumentException("unknown usb_device_speed " + value);
  }

  public static UsbSpeed parse(String word) {
    for (UsbSpeed s : values()) {
      if (s.word.equals(word)) return s;
    }
    return null;
  }
}
