package org.jbits.transport;

import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import jcifs.smb.NtStatus;
import jcifs.smb.SmbException;
import org.jbits.ErrorContext;
import org.jbits.HResult;

/**
 * SMB failures as BITS reports them. BITS reads a UNC path with the Win32 file API, so its errors are the Win32 codes
 * the SMB client gives ({@code HRESULT_FROM_WIN32}): what the server refused (no such file, path or share, access
 * denied, the logon failed) is fatal, in the remote file's context; what the network did (the server cannot be
 * reached, the connection dropped, the server stopped answering) is transient, in the transport's context, and the
 * retry resumes from the checkpoint. A sharing violation is transient too: the program holding the file may let go.
 *
 * <p>Messages name the file as {@code \\host\share\path} and never carry a password (jcifs-ng's messages carry none).
 */
final class SmbErrors {
    private SmbErrors() {
    }

    /** What a failed SMB call means, from its exception; {@code what} says what was being done ("opening", "reading"). */
    static TransferException map(Exception e, SmbNames.Location where, String what) {
        String file = where.unc();
        Throwable network = networkCause(e);
        if (network instanceof UnknownHostException) {
            return TransferException.transientError(HResult.ERROR_BAD_NETPATH, ErrorContext.GENERAL_TRANSPORT,
                    "the server name " + where.host() + " could not be resolved while " + what + " " + file, e);
        }
        if (network instanceof ConnectException || network instanceof NoRouteToHostException) {
            return TransferException.transientError(HResult.ERROR_BAD_NETPATH, ErrorContext.GENERAL_TRANSPORT,
                    "the SMB server " + where.host() + (where.port() < 0 ? "" : " port " + where.port())
                            + " cannot be reached (" + network.getMessage() + ") while " + what + " " + file, e);
        }
        if (network instanceof SocketTimeoutException || network instanceof InterruptedIOException || isTimeout(e)) {
            return TransferException.transientError(HResult.ERROR_SEM_TIMEOUT, ErrorContext.GENERAL_TRANSPORT,
                    "the SMB server " + where.host() + " did not answer in time while " + what + " " + file, e);
        }
        int status = e instanceof SmbException se ? se.getNtStatus() : NtStatus.NT_STATUS_UNSUCCESSFUL;
        switch (status) {
            case NtStatus.NT_STATUS_OBJECT_NAME_NOT_FOUND:
            case NtStatus.NT_STATUS_NO_SUCH_FILE:
                return fatal(HResult.ERROR_FILE_NOT_FOUND, file + " does not exist", e);
            case NtStatus.NT_STATUS_OBJECT_PATH_NOT_FOUND:
            case NtStatus.NT_STATUS_NOT_A_DIRECTORY:
                return fatal(HResult.ERROR_PATH_NOT_FOUND, "a directory on the way to " + file + " does not exist", e);
            case NtStatus.NT_STATUS_BAD_NETWORK_NAME:
                return fatal(HResult.ERROR_BAD_NET_NAME, "the server " + where.host() + " has no share named '"
                        + where.share() + "' (" + file + ")", e);
            case NtStatus.NT_STATUS_OBJECT_NAME_INVALID:
            case NtStatus.NT_STATUS_OBJECT_PATH_INVALID:
            case NtStatus.NT_STATUS_OBJECT_PATH_SYNTAX_BAD:
                return fatal(HResult.ERROR_INVALID_NAME, "the server refuses the name " + file, e);
            case NtStatus.NT_STATUS_LOGON_FAILURE:
            case NtStatus.NT_STATUS_WRONG_PASSWORD:
            case NtStatus.NT_STATUS_NO_SUCH_USER:
                return fatal(HResult.ERROR_LOGON_FAILURE, "the server " + where.host()
                        + " refused the logon: unknown user name or bad password (for " + file + ")", e);
            case NtStatus.NT_STATUS_ACCOUNT_RESTRICTION:
            case NtStatus.NT_STATUS_ACCOUNT_DISABLED:
            case NtStatus.NT_STATUS_ACCOUNT_LOCKED_OUT:
            case NtStatus.NT_STATUS_PASSWORD_EXPIRED:
            case NtStatus.NT_STATUS_PASSWORD_MUST_CHANGE:
            case NtStatus.NT_STATUS_INVALID_LOGON_HOURS:
            case NtStatus.NT_STATUS_INVALID_WORKSTATION:
            case NtStatus.NT_STATUS_LOGON_TYPE_NOT_GRANTED:
                return fatal(HResult.ERROR_ACCOUNT_RESTRICTION, "the server " + where.host()
                        + " does not let the account log on now (" + e.getMessage() + ") for " + file, e);
            case NtStatus.NT_STATUS_ACCESS_DENIED:
            case NtStatus.NT_STATUS_NETWORK_ACCESS_DENIED:
                // jcifs-ng speaks no SMB3 encryption: a share that requires it refuses the tree connect this way too.
                return fatal(HResult.E_ACCESSDENIED, "access to " + file + " is denied (the account lacks the right, "
                        + "no credentials were given for a share that needs them, or the share requires SMB3 "
                        + "encryption, which jbits' SMB client does not do)", e);
            case NtStatus.NT_STATUS_DISK_FULL:
            case 0xC0000044: // NT_STATUS_QUOTA_EXCEEDED
                // Someone must make room on the share: an error, not a retry; Resume continues from what it holds.
                return fatal(HResult.ERROR_DISK_FULL, "the share '" + where.share() + "' on " + where.host()
                        + " is full (or the account's quota is used up) while " + what + " " + file, e);
            case 0xC00000A2: // NT_STATUS_MEDIA_WRITE_PROTECTED
                return fatal(HResult.E_ACCESSDENIED, "the share '" + where.share() + "' is read-only: " + what + " "
                        + file + " is denied", e);
            case NtStatus.NT_STATUS_FILE_IS_A_DIRECTORY:
                return fatal(HResult.E_INVALIDARG, file + " is a directory", e);
            case NtStatus.NT_STATUS_SHARING_VIOLATION:
            case NtStatus.NT_STATUS_DELETE_PENDING:
                return TransferException.transientError(HResult.ERROR_SHARING_VIOLATION, ErrorContext.REMOTE_FILE,
                        file + " is open in another program that does not share it (or is being deleted); "
                                + "retried later", e);
            case NtStatus.NT_STATUS_NETWORK_NAME_DELETED:
            case NtStatus.NT_STATUS_PIPE_BROKEN:
            case NtStatus.NT_STATUS_PORT_DISCONNECTED:
                return dropped(where, what, e);
            default:
                break;
        }
        if (network != null || status == NtStatus.NT_STATUS_UNSUCCESSFUL) {
            // A transport failure without a server status: the connection broke (reset, closed, a short read).
            return dropped(where, what, e);
        }
        return TransferException.fatal(HResult.E_FAIL, ErrorContext.REMOTE_FILE, what + " " + file + " failed: "
                + e.getMessage() + String.format(" (NTSTATUS 0x%08X)", status), e);
    }

    private static TransferException dropped(SmbNames.Location where, String what, Exception e) {
        return TransferException.transientError(HResult.ERROR_NETNAME_DELETED, ErrorContext.GENERAL_TRANSPORT,
                "the connection to the SMB server " + where.host() + " broke while " + what + " " + where.unc()
                        + ": " + e.getMessage(), e);
    }

    private static TransferException fatal(int hr, String message, Exception e) {
        return TransferException.fatal(hr, ErrorContext.REMOTE_FILE, message, e);
    }

    /** The socket-level cause of a jcifs-ng failure, or null when the server answered with a status. */
    private static Throwable networkCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof SocketException || t instanceof SocketTimeoutException
                    || t instanceof InterruptedIOException || t instanceof java.io.EOFException) {
                return t;
            }
            if (t instanceof jcifs.util.transport.TransportException && t.getCause() == null) {
                return t;
            }
        }
        return null;
    }

    /** jcifs-ng reports a request that got no response as "... timedout waiting for response ...". */
    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("timedout") || m.contains("timed out"))) {
                return true;
            }
        }
        return false;
    }
}
