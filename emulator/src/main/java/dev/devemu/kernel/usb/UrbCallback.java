package dev.devemu.kernel.usb;

import dev.devemu.kernel.Op;
import java.util.function.Function;

/**
 * {@code usb_complete_t}: a URB's completion handler and its name, which reports print
 * ({@code BUG: KASAN: slab-use-after-free in my_usb_complete}). It runs in interrupt context.
 */
public record UrbCallback(String name, Function<Urb, Op<Void>> fn) {}
