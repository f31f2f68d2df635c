package org.jbits;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HRESULT codes used by BITS and their symbolic names. Values are BITS' own (facility 0x20 for BG_*, 0x19 for
 * HTTP status errors, 0x7 for Win32 errors).
 */
public final class HResult {
    private HResult() {
    }

    private static final Map<Integer, String> NAMES = new HashMap<>();

    private static int def(int code, String name) {
        NAMES.put(code, name);
        return code;
    }

    public static final int S_OK = def(0, "S_OK");
    public static final int S_FALSE = def(1, "S_FALSE");
    public static final int E_NOTIMPL = def(0x80004001, "E_NOTIMPL");
    public static final int E_NOINTERFACE = def(0x80004002, "E_NOINTERFACE");
    public static final int E_POINTER = def(0x80004003, "E_POINTER");
    public static final int E_FAIL = def(0x80004005, "E_FAIL");
    public static final int E_UNEXPECTED = def(0x8000FFFF, "E_UNEXPECTED");
    public static final int E_ACCESSDENIED = def(0x80070005, "E_ACCESSDENIED");
    public static final int E_OUTOFMEMORY = def(0x8007000E, "E_OUTOFMEMORY");
    public static final int E_INVALIDARG = def(0x80070057, "E_INVALIDARG");

    /** COM: the class is not registered (an older BITS lacks a versioned manager class). */
    public static final int REGDB_E_CLASSNOTREG = def(0x80040154, "REGDB_E_CLASSNOTREG");
    /** COM: CoInitialize has not been called on this thread. */
    public static final int CO_E_NOTINITIALIZED = def(0x800401F0, "CO_E_NOTINITIALIZED");
    /** COM: the thread is already in another apartment. */
    public static final int RPC_E_CHANGED_MODE = def(0x80010106, "RPC_E_CHANGED_MODE");
    /** COM: the object's server has disconnected it. */
    public static final int RPC_E_DISCONNECTED = def(0x80010108, "RPC_E_DISCONNECTED");
    /** COM: CoInitializeSecurity was already called in this process. */
    public static final int RPC_E_TOO_LATE = def(0x80010119, "RPC_E_TOO_LATE");
    /** HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE): the BITS service could not be reached. */
    public static final int RPC_S_SERVER_UNAVAILABLE = def(0x800706BA, "RPC_S_SERVER_UNAVAILABLE");
    /** HRESULT_FROM_WIN32(RPC_S_CALL_FAILED): the BITS service went away during the call (it exited or crashed). */
    public static final int RPC_S_CALL_FAILED = def(0x800706BE, "RPC_S_CALL_FAILED");
    /** HRESULT_FROM_WIN32(RPC_S_CALL_FAILED_DNE): the call failed and did not reach the BITS service. */
    public static final int RPC_S_CALL_FAILED_DNE = def(0x800706BF, "RPC_S_CALL_FAILED_DNE");

    /** HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND). */
    public static final int ERROR_FILE_NOT_FOUND = def(0x80070002, "ERROR_FILE_NOT_FOUND");
    /** HRESULT_FROM_WIN32(ERROR_PATH_NOT_FOUND). */
    public static final int ERROR_PATH_NOT_FOUND = def(0x80070003, "ERROR_PATH_NOT_FOUND");
    /** HRESULT_FROM_WIN32(ERROR_WRITE_PROTECT): the medium (a read-only file system) cannot be written. */
    public static final int ERROR_WRITE_PROTECT = def(0x80070013, "ERROR_WRITE_PROTECT");
    /** HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE): a file name is too long for the file system. */
    public static final int ERROR_FILENAME_EXCED_RANGE = def(0x800700CE, "ERROR_FILENAME_EXCED_RANGE");
    /** HRESULT_FROM_WIN32(ERROR_SHARING_VIOLATION). */
    public static final int ERROR_SHARING_VIOLATION = def(0x80070020, "ERROR_SHARING_VIOLATION");
    /** HRESULT_FROM_WIN32(ERROR_DISK_FULL). */
    public static final int ERROR_DISK_FULL = def(0x80070070, "ERROR_DISK_FULL");
    /** HRESULT_FROM_WIN32(ERROR_INVALID_NAME). */
    public static final int ERROR_INVALID_NAME = def(0x8007007B, "ERROR_INVALID_NAME");
    /** HRESULT_FROM_WIN32(ERROR_BAD_NETPATH): the network path was not found (an SMB server that cannot be reached). */
    public static final int ERROR_BAD_NETPATH = def(0x80070035, "ERROR_BAD_NETPATH");
    /** HRESULT_FROM_WIN32(ERROR_NETNAME_DELETED): the network name is no longer available (an SMB connection dropped). */
    public static final int ERROR_NETNAME_DELETED = def(0x80070040, "ERROR_NETNAME_DELETED");
    /** HRESULT_FROM_WIN32(ERROR_BAD_NET_NAME): the network name cannot be found (no such SMB share). */
    public static final int ERROR_BAD_NET_NAME = def(0x80070043, "ERROR_BAD_NET_NAME");
    /** HRESULT_FROM_WIN32(ERROR_SEM_TIMEOUT): the timeout period expired (an SMB server that stopped answering). */
    public static final int ERROR_SEM_TIMEOUT = def(0x80070079, "ERROR_SEM_TIMEOUT");
    /** HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE): the user name or password is incorrect. */
    public static final int ERROR_LOGON_FAILURE = def(0x8007052E, "ERROR_LOGON_FAILURE");
    /** HRESULT_FROM_WIN32(ERROR_ACCOUNT_RESTRICTION): the account may not log on now (disabled, locked out, expired). */
    public static final int ERROR_ACCOUNT_RESTRICTION = def(0x8007052F, "ERROR_ACCOUNT_RESTRICTION");
    /** WinHTTP: the operation timed out. */
    public static final int ERROR_WINHTTP_TIMEOUT = def(0x80072EE2, "ERROR_WINHTTP_TIMEOUT");
    /** WinHTTP: the URL is invalid. */
    public static final int ERROR_WINHTTP_INVALID_URL = def(0x80072EE5, "ERROR_WINHTTP_INVALID_URL");
    /** WinHTTP: the URL scheme is not supported. */
    public static final int ERROR_WINHTTP_UNRECOGNIZED_SCHEME = def(0x80072EE6, "ERROR_WINHTTP_UNRECOGNIZED_SCHEME");
    /** WinHTTP: the server name could not be resolved. */
    public static final int ERROR_WINHTTP_NAME_NOT_RESOLVED = def(0x80072EE7, "ERROR_WINHTTP_NAME_NOT_RESOLVED");
    /** WinHTTP: a secure connection could not be established. */
    public static final int ERROR_WINHTTP_SECURE_FAILURE = def(0x80072F8F, "ERROR_WINHTTP_SECURE_FAILURE");
    /** WinHTTP: the server certificate has expired or is not yet valid. */
    public static final int ERROR_WINHTTP_SECURE_CERT_DATE_INVALID = def(0x80072F05, "ERROR_WINHTTP_SECURE_CERT_DATE_INVALID");
    /** WinHTTP: the server certificate is for another host name. */
    public static final int ERROR_WINHTTP_SECURE_CERT_CN_INVALID = def(0x80072F06, "ERROR_WINHTTP_SECURE_CERT_CN_INVALID");
    /** WinHTTP: the server asked for a client certificate and none was given. */
    public static final int ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED = def(0x80072F0C, "ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED");
    /** WinHTTP: the server certificate was signed by an authority that is not trusted. */
    public static final int ERROR_WINHTTP_SECURE_INVALID_CA = def(0x80072F0D, "ERROR_WINHTTP_SECURE_INVALID_CA");
    /** WinHTTP: the server certificate's revocation could not be checked. */
    public static final int ERROR_WINHTTP_SECURE_CERT_REV_FAILED = def(0x80072F19, "ERROR_WINHTTP_SECURE_CERT_REV_FAILED");
    /** WinHTTP: the server certificate is invalid (badly formed, a bad signature). */
    public static final int ERROR_WINHTTP_SECURE_INVALID_CERT = def(0x80072F89, "ERROR_WINHTTP_SECURE_INVALID_CERT");
    /** WinHTTP: the server certificate was revoked. */
    public static final int ERROR_WINHTTP_SECURE_CERT_REVOKED = def(0x80072F8A, "ERROR_WINHTTP_SECURE_CERT_REVOKED");
    /** WinHTTP: the server certificate is not for server authentication. */
    public static final int ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE = def(0x80072F93, "ERROR_WINHTTP_SECURE_CERT_WRONG_USAGE");
    /** WinHTTP: too many redirects. */
    public static final int ERROR_WINHTTP_REDIRECT_FAILED = def(0x80072EFA, "ERROR_WINHTTP_REDIRECT_FAILED");

    public static final int BG_E_NOT_FOUND = def(0x80200001, "BG_E_NOT_FOUND");
    public static final int BG_E_INVALID_STATE = def(0x80200002, "BG_E_INVALID_STATE");
    public static final int BG_E_EMPTY = def(0x80200003, "BG_E_EMPTY");
    public static final int BG_E_FILE_NOT_AVAILABLE = def(0x80200004, "BG_E_FILE_NOT_AVAILABLE");
    public static final int BG_E_PROTOCOL_NOT_AVAILABLE = def(0x80200005, "BG_E_PROTOCOL_NOT_AVAILABLE");
    public static final int BG_S_ERROR_CONTEXT_NONE = def(0x00200006, "BG_S_ERROR_CONTEXT_NONE");
    public static final int BG_E_ERROR_CONTEXT_UNKNOWN = def(0x80200007, "BG_E_ERROR_CONTEXT_UNKNOWN");
    public static final int BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER = def(0x80200008, "BG_E_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER");
    public static final int BG_E_ERROR_CONTEXT_LOCAL_FILE = def(0x80200009, "BG_E_ERROR_CONTEXT_LOCAL_FILE");
    public static final int BG_E_ERROR_CONTEXT_REMOTE_FILE = def(0x8020000A, "BG_E_ERROR_CONTEXT_REMOTE_FILE");
    public static final int BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT = def(0x8020000B, "BG_E_ERROR_CONTEXT_GENERAL_TRANSPORT");
    public static final int BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION = def(0x8020000C, "BG_E_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION");
    public static final int BG_E_DESTINATION_LOCKED = def(0x8020000D, "BG_E_DESTINATION_LOCKED");
    public static final int BG_E_VOLUME_CHANGED = def(0x8020000E, "BG_E_VOLUME_CHANGED");
    public static final int BG_E_ERROR_INFORMATION_UNAVAILABLE = def(0x8020000F, "BG_E_ERROR_INFORMATION_UNAVAILABLE");
    public static final int BG_E_NETWORK_DISCONNECTED = def(0x80200010, "BG_E_NETWORK_DISCONNECTED");
    public static final int BG_E_MISSING_FILE_SIZE = def(0x80200011, "BG_E_MISSING_FILE_SIZE");
    public static final int BG_E_INSUFFICIENT_HTTP_SUPPORT = def(0x80200012, "BG_E_INSUFFICIENT_HTTP_SUPPORT");
    public static final int BG_E_INSUFFICIENT_RANGE_SUPPORT = def(0x80200013, "BG_E_INSUFFICIENT_RANGE_SUPPORT");
    public static final int BG_E_REMOTE_NOT_SUPPORTED = def(0x80200014, "BG_E_REMOTE_NOT_SUPPORTED");
    public static final int BG_E_NEW_OWNER_DIFF_MAPPING = def(0x80200015, "BG_E_NEW_OWNER_DIFF_MAPPING");
    public static final int BG_E_NEW_OWNER_NO_FILE_ACCESS = def(0x80200016, "BG_E_NEW_OWNER_NO_FILE_ACCESS");
    public static final int BG_S_PARTIAL_COMPLETE = def(0x00200017, "BG_S_PARTIAL_COMPLETE");
    public static final int BG_E_PROXY_LIST_TOO_LARGE = def(0x80200018, "BG_E_PROXY_LIST_TOO_LARGE");
    public static final int BG_E_PROXY_BYPASS_LIST_TOO_LARGE = def(0x80200019, "BG_E_PROXY_BYPASS_LIST_TOO_LARGE");
    public static final int BG_S_UNABLE_TO_DELETE_FILES = def(0x0020001A, "BG_S_UNABLE_TO_DELETE_FILES");
    public static final int BG_E_INVALID_SERVER_RESPONSE = def(0x8020001B, "BG_E_INVALID_SERVER_RESPONSE");
    public static final int BG_E_TOO_MANY_FILES = def(0x8020001C, "BG_E_TOO_MANY_FILES");
    public static final int BG_E_LOCAL_FILE_CHANGED = def(0x8020001D, "BG_E_LOCAL_FILE_CHANGED");
    public static final int BG_E_ERROR_CONTEXT_REMOTE_APPLICATION = def(0x8020001E, "BG_E_ERROR_CONTEXT_REMOTE_APPLICATION");
    public static final int BG_E_SESSION_NOT_FOUND = def(0x8020001F, "BG_E_SESSION_NOT_FOUND");
    public static final int BG_E_TOO_LARGE = def(0x80200020, "BG_E_TOO_LARGE");
    public static final int BG_E_STRING_TOO_LONG = def(0x80200021, "BG_E_STRING_TOO_LONG");
    public static final int BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH = def(0x80200022, "BG_E_CLIENT_SERVER_PROTOCOL_MISMATCH");
    public static final int BG_E_SERVER_EXECUTE_ENABLE = def(0x80200023, "BG_E_SERVER_EXECUTE_ENABLE");
    public static final int BG_E_NO_PROGRESS = def(0x80200024, "BG_E_NO_PROGRESS");
    public static final int BG_E_USERNAME_TOO_LARGE = def(0x80200025, "BG_E_USERNAME_TOO_LARGE");
    public static final int BG_E_PASSWORD_TOO_LARGE = def(0x80200026, "BG_E_PASSWORD_TOO_LARGE");
    public static final int BG_E_INVALID_AUTH_TARGET = def(0x80200027, "BG_E_INVALID_AUTH_TARGET");
    public static final int BG_E_INVALID_AUTH_SCHEME = def(0x80200028, "BG_E_INVALID_AUTH_SCHEME");
    public static final int BG_E_FILE_NOT_FOUND = def(0x80200029, "BG_E_FILE_NOT_FOUND");
    public static final int BG_S_PROXY_CHANGED = def(0x0020002A, "BG_S_PROXY_CHANGED");
    public static final int BG_E_INVALID_RANGE = def(0x8020002B, "BG_E_INVALID_RANGE");
    public static final int BG_E_OVERLAPPING_RANGES = def(0x8020002C, "BG_E_OVERLAPPING_RANGES");
    public static final int BG_E_CONNECT_FAILURE = def(0x8020002D, "BG_E_CONNECT_FAILURE");
    public static final int BG_E_CONNECTION_CLOSED = def(0x8020002E, "BG_E_CONNECTION_CLOSED");
    public static final int BG_E_BLOCKED_BY_POLICY = def(0x8020003E, "BG_E_BLOCKED_BY_POLICY");
    public static final int BG_E_INVALID_PROXY_INFO = def(0x8020003F, "BG_E_INVALID_PROXY_INFO");
    public static final int BG_E_INVALID_CREDENTIALS = def(0x80200040, "BG_E_INVALID_CREDENTIALS");
    public static final int BG_E_TOO_MANY_JOBS_PER_USER = def(0x80200049, "BG_E_TOO_MANY_JOBS_PER_USER");
    public static final int BG_E_TOO_MANY_JOBS_PER_MACHINE = def(0x80200050, "BG_E_TOO_MANY_JOBS_PER_MACHINE");
    public static final int BG_E_TOO_MANY_FILES_IN_JOB = def(0x80200051, "BG_E_TOO_MANY_FILES_IN_JOB");
    public static final int BG_E_TOO_MANY_RANGES_IN_FILE = def(0x80200052, "BG_E_TOO_MANY_RANGES_IN_FILE");
    public static final int BG_E_VALIDATION_FAILED = def(0x80200053, "BG_E_VALIDATION_FAILED");
    public static final int BG_E_MAXDOWNLOAD_TIMEOUT = def(0x80200054, "BG_E_MAXDOWNLOAD_TIMEOUT");
    public static final int BG_S_OVERRIDDEN_BY_POLICY = def(0x00200055, "BG_S_OVERRIDDEN_BY_POLICY");
    public static final int BG_E_TOKEN_REQUIRED = def(0x80200056, "BG_E_TOKEN_REQUIRED");
    public static final int BG_E_UNKNOWN_PROPERTY_ID = def(0x80200057, "BG_E_UNKNOWN_PROPERTY_ID");
    public static final int BG_E_READ_ONLY_PROPERTY = def(0x80200058, "BG_E_READ_ONLY_PROPERTY");
    public static final int BG_E_BLOCKED_BY_COST_TRANSFER_POLICY = def(0x80200059, "BG_E_BLOCKED_BY_COST_TRANSFER_POLICY");
    public static final int BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY = def(0x80200060, "BG_E_PROPERTY_SUPPORTED_FOR_DOWNLOAD_JOBS_ONLY");
    public static final int BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE = def(0x80200061, "BG_E_READ_ONLY_PROPERTY_AFTER_ADDFILE");
    public static final int BG_E_READ_ONLY_PROPERTY_AFTER_RESUME = def(0x80200062, "BG_E_READ_ONLY_PROPERTY_AFTER_RESUME");
    public static final int BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE = def(0x80200063, "BG_E_MAX_DOWNLOAD_SIZE_INVALID_VALUE");
    public static final int BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED = def(0x80200064, "BG_E_MAX_DOWNLOAD_SIZE_LIMIT_REACHED");
    public static final int BG_E_STANDBY_MODE = def(0x80200065, "BG_E_STANDBY_MODE");
    public static final int BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED = def(0x80200066, "BG_E_USE_STORED_CREDENTIALS_NOT_SUPPORTED");
    public static final int BG_E_BLOCKED_BY_BATTERY_POLICY = def(0x80200067, "BG_E_BLOCKED_BY_BATTERY_POLICY");
    public static final int BG_E_BLOCKED_BY_BATTERY_SAVER = def(0x80200068, "BG_E_BLOCKED_BY_BATTERY_SAVER");
    public static final int BG_E_WATCHDOG_TIMEOUT = def(0x80200069, "BG_E_WATCHDOG_TIMEOUT");
    public static final int BG_E_APP_PACKAGE_NOT_FOUND = def(0x8020006A, "BG_E_APP_PACKAGE_NOT_FOUND");
    public static final int BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED = def(0x8020006B, "BG_E_APP_PACKAGE_SCENARIO_NOT_SUPPORTED");
    public static final int BG_E_DATABASE_CORRUPT = def(0x8020006C, "BG_E_DATABASE_CORRUPT");
    public static final int BG_E_RANDOM_ACCESS_NOT_SUPPORTED = def(0x8020006D, "BG_E_RANDOM_ACCESS_NOT_SUPPORTED");
    public static final int BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY = def(0x8020006E, "BG_E_BLOCKED_BY_BACKGROUND_ACCESS_POLICY");
    public static final int BG_E_BLOCKED_BY_GAME_MODE = def(0x8020006F, "BG_E_BLOCKED_BY_GAME_MODE");
    public static final int BG_E_BLOCKED_BY_SYSTEM_POLICY = def(0x80200070, "BG_E_BLOCKED_BY_SYSTEM_POLICY");
    public static final int BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD = def(0x80200071, "BG_E_NOT_SUPPORTED_WITH_CUSTOM_HTTP_METHOD");
    public static final int BG_E_UNSUPPORTED_JOB_CONFIGURATION = def(0x80200072, "BG_E_UNSUPPORTED_JOB_CONFIGURATION");
    public static final int BG_E_REMOTE_FILE_CHANGED = def(0x80200073, "BG_E_REMOTE_FILE_CHANGED");
    public static final int BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED = def(0x80200074, "BG_E_SERVER_CERT_VALIDATION_INTERFACE_REQUIRED");
    public static final int BG_E_READ_ONLY_WHEN_JOB_ACTIVE = def(0x80200075, "BG_E_READ_ONLY_WHEN_JOB_ACTIVE");

    /** The facility-0x19 HRESULT BITS reports for an HTTP status: {@code 0x80190000 | status}. */
    public static int ofHttpStatus(int status) {
        return 0x80190000 | (status & 0xFFFF);
    }

    /** The HTTP status in a BG_E_HTTP_ERROR_* code, or -1 when {@code hr} is not one. */
    public static int httpStatus(int hr) {
        return (hr & 0xFFFF0000) == 0x80190000 ? hr & 0xFFFF : -1;
    }

    /** True for success codes (severity bit clear). */
    public static boolean succeeded(int hr) {
        return hr >= 0;
    }

    /** The symbolic name: {@code BG_E_HTTP_ERROR_404}, {@code BG_E_EMPTY}, ...; the hex value when unknown. */
    public static String name(int hr) {
        int status = httpStatus(hr);
        if (status >= 0) {
            return "BG_E_HTTP_ERROR_" + status;
        }
        String name = NAMES.get(hr);
        return name != null ? name : hex(hr);
    }

    /**
     * True when {@code hr} says the BITS service itself is gone (not reachable, or it died during the call) rather
     * than that it refused the call: RPC_S_SERVER_UNAVAILABLE, RPC_S_CALL_FAILED, RPC_S_CALL_FAILED_DNE,
     * RPC_E_DISCONNECTED.
     */
    public static boolean isServiceLost(int hr) {
        return hr == RPC_S_SERVER_UNAVAILABLE || hr == RPC_S_CALL_FAILED || hr == RPC_S_CALL_FAILED_DNE
                || hr == RPC_E_DISCONNECTED;
    }

    /** True when {@link #name(int)} is a real symbolic name rather than the hex value. */
    public static boolean isKnown(int hr) {
        return httpStatus(hr) >= 0 || NAMES.containsKey(hr);
    }

    /** {@code 0x80190194}: the form BITS tools print. */
    public static String hex(int hr) {
        return String.format(Locale.ROOT, "0x%08X", hr);
    }

    /** Parses a name ({@code BG_E_EMPTY}, {@code BG_E_HTTP_ERROR_404}) or a hex value. */
    public static int parse(String text) {
        String t = text.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            return (int) Long.parseLong(t.substring(2), 16);
        }
        if (t.startsWith("BG_E_HTTP_ERROR_")) {
            return ofHttpStatus(Integer.parseInt(t.substring("BG_E_HTTP_ERROR_".length())));
        }
        for (Map.Entry<Integer, String> e : NAMES.entrySet()) {
            if (e.getValue().equals(t)) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("unknown HRESULT " + text);
    }
}
