/**
 * The native backend: Windows' own BITS driven through its COM interfaces with JNA, in the style of jna-platform's
 * {@code com.sun.jna.platform.win32.COM} package. Only three types are public: {@link
 * org.jbits.windows.NativeBackendProvider} (found by {@link java.util.ServiceLoader}), {@link
 * org.jbits.windows.NativeBitsManager} and the {@link org.jbits.windows.NativeCapabilities} its
 * {@link org.jbits.windows.NativeBitsManager#capabilities()} returns. Everything else is internal to the package.
 *
 * <ul>
 *   <li>One thin class per COM interface ({@code IBackgroundCopyManager}, {@code IBackgroundCopyJob} ...
 *       {@code Job5}, {@code IBackgroundCopyFile} ... {@code File6}, {@code IEnumBackgroundCopyJobs}/{@code Files}
 *       over their shared {@code ComEnumerator}, {@code IBackgroundCopyError}, {@code IBackgroundCopyJobHttpOptions})
 *       calling by absolute vtable slot; the slot numbers (reference §2.2) are constants next to the methods, the
 *       GUIDs in {@code BitsGuids}, the structures in {@code BitsStructures}.</li>
 *   <li>{@code ComThread}: the single thread that joins the MTA, calls CoInitializeSecurity with
 *       RPC_C_IMP_LEVEL_IMPERSONATE and makes every call of its manager.</li>
 *   <li>{@code NativeBitsManager} and {@code NativeJob}: the public API mapped onto those calls.</li>
 *   <li>{@code CopyCallback} and {@code NativeNotifier}: IBackgroundCopyCallback2 implemented in Java with a
 *       JNA-built vtable, with polling where BITS refuses it; listeners are called through the SPI's
 *       {@link org.jbits.spi.JobEventDispatcher}.</li>
 * </ul>
 */
package org.jbits.windows;
