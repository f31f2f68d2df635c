package org.jbits;

/**
 * A failed BITS call: carries the HRESULT BITS would return, with its symbolic name in the message
 * ({@code "BG_E_EMPTY (0x80200003): the job has no files"}).
 */
public class BitsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int hresult;
    private final String detail;

    /** An error with the given HRESULT and a human explanation. */
    public BitsException(int hresult, String detail) {
        this(hresult, detail, null);
    }

    /** An error with the given HRESULT, explanation and cause. */
    public BitsException(int hresult, String detail, Throwable cause) {
        super(HResult.name(hresult) + " (" + HResult.hex(hresult) + "): " + detail, cause);
        this.hresult = hresult;
        this.detail = detail;
    }

    /** The HRESULT. */
    public int hresult() {
        return hresult;
    }

    /** The symbolic name of the HRESULT ({@code BG_E_INVALID_STATE}). */
    public String errorName() {
        return HResult.name(hresult);
    }

    /** The explanation without the code. */
    public String detail() {
        return detail;
    }
}
