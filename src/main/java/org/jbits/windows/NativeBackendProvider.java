package org.jbits.windows;

import org.jbits.BitsManager;
import org.jbits.BitsOptions;
import org.jbits.spi.BackendProvider;

/**
 * Registers the native backend with {@link BitsManager#open}: available on Windows (where BITS is part of the
 * system), preferred over the portable engine there. {@code -Djbits.backend=portable}, {@code JBITS_BACKEND} or the
 * CLI's {@code --backend} choose the other one.
 */
public final class NativeBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "native";
    }

    /** Windows with a 64-bit JVM: the binding's vtable calls and callbacks use the 64-bit convention only. */
    @Override
    public boolean isAvailable() {
        return System.getProperty("os.name", "").startsWith("Windows") && com.sun.jna.Platform.is64Bit();
    }

    @Override
    public int preference() {
        return 10;
    }

    @Override
    public BitsManager open(BitsOptions options) {
        return NativeBitsManager.open(options);
    }
}
