/**
 * The native backend: Windows' own BITS driven through its COM interfaces with JNA, in the style of jna-platform's
 * {@code com.sun.jna.platform.win32.COM} package.
 *
 * <ul>
 *   <li>One thin class per COM interface ({@link org.jbits.windows.IBackgroundCopyManager},
 *       {@code IBackgroundCopyJob} ... {@code Job5}, {@code IBackgroundCopyFile} ... {@code File6},
 *       {@code IEnumBackgroundCopyJobs}/{@code Files}, {@code IBackgroundCopyError},
 *       {@code IBackgroundCopyJobHttpOptions}) calling by absolute vtable slot; the slot numbers (reference §2.2)
 *       are constants next to the methods, the GUIDs in {@link org.jbits.windows.BitsGuids}, the structures in
 *       {@link org.jbits.windows.BitsStructures}.</li>
 *   <li>{@code ComThread}: the single thread that joins the MTA, calls CoInitializeSecurity with
 *       RPC_C_IMP_LEVEL_IMPERSONATE and makes every call of its manager.</li>
 *   <li>{@link org.jbits.windows.NativeBitsManager} and {@code NativeJob}: the public API mapped onto those calls;
 *       {@link org.jbits.windows.NativeBitsManager#capabilities()} says what this BITS offers.</li>
 *   <li>{@code CopyCallback} and {@code NativeNotifier}: IBackgroundCopyCallback2 implemented in Java with a
 *       JNA-built vtable, with polling where BITS refuses it.</li>
 * </ul>
 */
package org.jbits.windows;
