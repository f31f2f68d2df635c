/*
 * bits-oracle: drives BITS through the Windows SDK headers (mingw-w64) and prints what it observes, one JSON
 * object per scenario and line on stdout. It is the oracle for the JNA binding (org.jbits.windows): the Java side
 * runs the same scenarios and compares field by field. Scenario names, field names and their meaning are a
 * contract documented in native/README.md; change both together and bump ORACLE_FORMAT.
 *
 * Usage: bits-oracle.exe BASE_URL WINDOWS_DIR [--refused-url URL] [--only a,b,c] [--timeout-seconds N]
 *   BASE_URL     http://127.0.0.1:PORT/ serving data.bin (any size) and small.txt; missing.bin must be a 404
 *   WINDOWS_DIR  an existing, writable directory (absolute Windows path, e.g. Z:\tmp\oracle)
 *
 * Conventions: HRESULTs are "0x%08X" strings in fields named hr_<COM method>; a value whose getter failed is
 * null; UINT64 sizes are printed as signed 64-bit (BG_SIZE_UNKNOWN = -1); strings are JSON with every non-ASCII
 * UTF-16 code unit escaped as \uXXXX, so stdout is ASCII whatever the console code page.
 */
#define COBJMACROS
#define INITGUID
#include <windows.h>
#include <objbase.h>
#include <bits.h>
#include <bits1_5.h>
#include <bits2_0.h>
#include <bits2_5.h>
#include <bits3_0.h>
#include <bits5_0.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define ORACLE_FORMAT 1

#ifndef BG_SSL_IGNORE_UNKNOWN_CA
#define BG_SSL_IGNORE_UNKNOWN_CA 0x0008
#endif

/* GUIDs the mingw-w64 headers do not carry (values from reference section 2.1). */
DEFINE_GUID(CLSID_BCM_4_0, 0xbb6df56b, 0xcace, 0x11dc, 0x99, 0x92, 0x00, 0x19, 0xb9, 0x3a, 0x3a, 0x84);
DEFINE_GUID(CLSID_BCM_5_0, 0x1ecca34c, 0xe88a, 0x44e3, 0x8d, 0x6a, 0x89, 0x21, 0xbd, 0xe9, 0xe4, 0x52);
DEFINE_GUID(CLSID_BCM_10_1, 0x4bd3e4e1, 0x7bd4, 0x4a2b, 0x99, 0x64, 0x49, 0x64, 0x00, 0xde, 0x51, 0x93);
DEFINE_GUID(CLSID_BCM_10_2, 0x4575438f, 0xa6c8, 0x4976, 0xb0, 0xfe, 0x2f, 0x26, 0xb8, 0x0d, 0x95, 0x9e);
DEFINE_GUID(CLSID_BCM_10_3, 0x5fd42ad5, 0xc04e, 0x4d36, 0xad, 0xc7, 0xe0, 0x8f, 0xf1, 0x57, 0x37, 0xad);
DEFINE_GUID(IID_File3, 0x659cdeaa, 0x489e, 0x11d9, 0xa9, 0xcd, 0x00, 0x0d, 0x56, 0x96, 0x52, 0x51);
DEFINE_GUID(IID_File4, 0xef7e0655, 0x7888, 0x4960, 0xb0, 0xe5, 0x73, 0x08, 0x46, 0xe0, 0x34, 0x92);
DEFINE_GUID(IID_File5, 0x85c1657f, 0xdafc, 0x40e8, 0x88, 0x34, 0xdf, 0x18, 0xea, 0x25, 0x71, 0x7e);
DEFINE_GUID(IID_File6, 0xcf6784f7, 0xd677, 0x49fd, 0x93, 0x68, 0xcb, 0x47, 0xae, 0xe9, 0xd1, 0xad);
DEFINE_GUID(IID_HttpOptions2, 0xb591a192, 0xa405, 0x4fc3, 0x83, 0x23, 0x4c, 0x5c, 0x54, 0x25, 0x78, 0xfc);
DEFINE_GUID(IID_HttpOptions3, 0x8a9263d3, 0xfd4c, 0x4eda, 0x9b, 0x28, 0x30, 0x13, 0x2a, 0x4d, 0x4e, 0x3c);
DEFINE_GUID(IID_TokenOptions, 0x9a2584c3, 0xf7d2, 0x457a, 0x9a, 0x5e, 0x22, 0xb6, 0x7b, 0xff, 0xc7, 0xd2);
DEFINE_GUID(IID_Callback3, 0x98c97bd2, 0xe32b, 0x4ad8, 0xa5, 0x28, 0x95, 0xfd, 0x8b, 0x16, 0xbd, 0x42);

/* Non-ASCII text for the UTF-16 round trips: Latin-1, BMP symbols, CJK and one surrogate pair (U+1F600). */
static const WCHAR UNICODE_NAME[] = L"jbits Gr\u00fc\u00dfe \u2713 \u4e16\u754c \U0001F600";
static const WCHAR UNICODE_NAME2[] = L"renamed \u00e9t\u00e9 \u65e5\u672c \U0001F680";
static const WCHAR UNICODE_DESCRIPTION[] = L"description \u00c5ngstr\u00f6m \u0416 \u4e2d\u6587 \U0001F4E6 end";
static const WCHAR UNICODE_FILE[] = L"donn\u00e9es-\u4e16\u754c.txt";

static WCHAR g_base[1024];
static WCHAR g_dir[MAX_PATH];
static WCHAR g_refused[1024] = L"http://127.0.0.1:1/refused.bin";
static const char *g_only;
static DWORD g_wait_ms = 30000;
static IBackgroundCopyManager *g_mgr;
static int g_count;

/* Job ids kept for the enumeration scenario. */
static GUID g_id_alive, g_id_completed, g_id_cancelled;
static int g_have_alive, g_have_completed, g_have_cancelled;
static IBackgroundCopyJob *g_alive;

/* ------------------------------------------------------------------------------------------------------------ */
/* JSON line builder                                                                                            */

static char g_line[1 << 16];
static size_t g_len;
static int g_first[16];
static int g_depth;

static void j_raw(const char *s) {
    size_t n = strlen(s);
    if (g_len + n + 1 < sizeof g_line) { memcpy(g_line + g_len, s, n); g_len += n; g_line[g_len] = 0; }
}

static void j_sep(void) {
    if (!g_first[g_depth]) j_raw(",");
    g_first[g_depth] = 0;
}

static void j_key(const char *k) {
    j_sep();
    j_raw("\"");
    j_raw(k);
    j_raw("\":");
}

static void j_cstr_value(const char *s) {
    char buf[8];
    j_raw("\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (c == '"' || c == '\\') { buf[0] = '\\'; buf[1] = c; buf[2] = 0; j_raw(buf); }
        else if (c < 0x20 || c >= 0x7f) { snprintf(buf, sizeof buf, "\\u%04x", c); j_raw(buf); }
        else { buf[0] = c; buf[1] = 0; j_raw(buf); }
    }
    j_raw("\"");
}

static void j_wstr_value(const WCHAR *s) {
    char buf[8];
    if (!s) { j_raw("null"); return; }
    j_raw("\"");
    for (; *s; s++) {
        unsigned c = (unsigned) *s;
        if (c == '"' || c == '\\') { buf[0] = '\\'; buf[1] = (char) c; buf[2] = 0; j_raw(buf); }
        else if (c < 0x20 || c >= 0x7f) { snprintf(buf, sizeof buf, "\\u%04x", c); j_raw(buf); }
        else { buf[0] = (char) c; buf[1] = 0; j_raw(buf); }
    }
    j_raw("\"");
}

static void j_begin(const char *scenario) {
    g_len = 0;
    g_line[0] = 0;
    g_depth = 0;
    g_first[0] = 1;
    j_raw("{");
    j_key("scenario");
    j_cstr_value(scenario);
}

static void j_end(void) {
    j_raw("}\n");
    fputs(g_line, stdout);
    fflush(stdout);
    g_count++;
}

static void j_open(const char *k, const char *bracket) {
    if (k) j_key(k); else j_sep();
    j_raw(bracket);
    g_first[++g_depth] = 1;
}

static void j_close(const char *bracket) { j_raw(bracket); g_depth--; }

static void j_int(const char *k, long long v) {
    char buf[32];
    if (k) j_key(k); else j_sep();
    snprintf(buf, sizeof buf, "%lld", v);
    j_raw(buf);
}

static void j_hr(const char *k, HRESULT hr) {
    char buf[16];
    if (k) j_key(k); else j_sep();
    snprintf(buf, sizeof buf, "\"0x%08lX\"", (unsigned long) hr);
    j_raw(buf);
}

static void j_bool(const char *k, int v) { j_key(k); j_raw(v ? "true" : "false"); }
static void j_null(const char *k) { if (k) j_key(k); else j_sep(); j_raw("null"); }
static void j_str(const char *k, const char *v) { j_key(k); j_cstr_value(v); }
static void j_wstr(const char *k, const WCHAR *v) { if (k) j_key(k); else j_sep(); j_wstr_value(v); }

static void j_guid(const char *k, const GUID *g) {
    WCHAR buf[40];
    StringFromGUID2(g, buf, 40);
    j_wstr(k, buf);
}

/* A BITS-returned string: printed, then freed with CoTaskMemFree as BITS requires. */
static void j_taskstr(const char *k, HRESULT hr, WCHAR *s) {
    if (SUCCEEDED(hr) && s) j_wstr(k, s); else j_null(k);
    if (s) CoTaskMemFree(s);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Helpers                                                                                                      */

static int wanted(const char *scenario) {
    const char *p = g_only;
    size_t n = strlen(scenario);
    if (!p) return 1;
    while ((p = strstr(p, scenario)) != NULL) {
        if ((p == g_only || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
        p += n;
    }
    return 0;
}

static void url(WCHAR *out, const WCHAR *name) { swprintf(out, 2048, L"%ls%ls", g_base, name); }
static void local(WCHAR *out, const WCHAR *name) { swprintf(out, MAX_PATH, L"%ls\\%ls", g_dir, name); }
static int exists(const WCHAR *path) { return GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES; }

static long long file_size(const WCHAR *path) {
    WIN32_FILE_ATTRIBUTE_DATA a;
    if (!GetFileAttributesExW(path, GetFileExInfoStandard, &a)) return -1;
    return ((long long) a.nFileSizeHigh << 32) | a.nFileSizeLow;
}

/* FNV-1a 64 of a file's bytes, as 16 hex digits; run-oracle.sh checks the same file with cmp. */
static void j_fnv(const char *k, const WCHAR *path) {
    unsigned long long h = 14695981039346656037ULL; /* the FNV-1a 64 offset basis, 0xcbf29ce484222325 */
    unsigned char buf[65536];
    DWORD got;
    char out[24];
    HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (f == INVALID_HANDLE_VALUE) { j_null(k); return; }
    while (ReadFile(f, buf, sizeof buf, &got, NULL) && got > 0)
        for (DWORD i = 0; i < got; i++) { h ^= buf[i]; h *= 1099511628211ULL; }
    CloseHandle(f);
    snprintf(out, sizeof out, "%016llx", h);
    j_str(k, out);
}

static WCHAR *repeat(WCHAR c, int n) {
    WCHAR *s = calloc(n + 1, sizeof(WCHAR));
    for (int i = 0; i < n; i++) s[i] = c;
    return s;
}

static HRESULT create(const WCHAR *name, BG_JOB_TYPE type, GUID *id, IBackgroundCopyJob **job) {
    GUID dummy;
    *job = NULL;
    return IBackgroundCopyManager_CreateJob(g_mgr, name, type, id ? id : &dummy, job);
}

static void discard(IBackgroundCopyJob *job) {
    if (!job) return;
    IBackgroundCopyJob_Cancel(job);
    IBackgroundCopyJob_Release(job);
}

static int get_state(IBackgroundCopyJob *job) {
    BG_JOB_STATE s;
    return SUCCEEDED(IBackgroundCopyJob_GetState(job, &s)) ? (int) s : -1;
}

static void j_state(const char *k, IBackgroundCopyJob *job) {
    BG_JOB_STATE s;
    if (SUCCEEDED(IBackgroundCopyJob_GetState(job, &s))) j_int(k, s); else j_null(k);
}

/* States seen while polling every 5 ms, each change once, starting with the state before Resume. */
typedef struct { int states[64]; int n; int timed_out; } StateLog;

static void log_state(StateLog *log, int s) {
    if ((log->n == 0 || log->states[log->n - 1] != s) && log->n < 64) log->states[log->n++] = s;
}

static int is_settled(int s) {
    return s == BG_JOB_STATE_TRANSFERRED || s == BG_JOB_STATE_ERROR || s == BG_JOB_STATE_TRANSIENT_ERROR
        || s == BG_JOB_STATE_ACKNOWLEDGED || s == BG_JOB_STATE_CANCELLED || s == BG_JOB_STATE_SUSPENDED || s < 0;
}

/* Polls until the job settles (transferred, error, transient error, final, or back to suspended). */
static int wait_settled(IBackgroundCopyJob *job, StateLog *log) {
    DWORD start = GetTickCount();
    int s;
    for (;;) {
        s = get_state(job);
        log_state(log, s);
        if (is_settled(s) && !(s == BG_JOB_STATE_SUSPENDED && log->n == 1)) return s;
        if (GetTickCount() - start > g_wait_ms) { log->timed_out = 1; return s; }
        Sleep(5);
    }
}

static void j_states(const char *k, StateLog *log) {
    j_open(k, "[");
    for (int i = 0; i < log->n; i++) j_int(NULL, log->states[i]);
    j_close("]");
    j_bool("timedOut", log->timed_out);
}

static void j_progress(IBackgroundCopyJob *job) {
    BG_JOB_PROGRESS p;
    HRESULT hr = IBackgroundCopyJob_GetProgress(job, &p);
    j_hr("hr_GetProgress", hr);
    if (SUCCEEDED(hr)) {
        j_int("bytesTotal", (long long) p.BytesTotal);
        j_int("bytesTransferred", (long long) p.BytesTransferred);
        j_int("filesTotal", p.FilesTotal);
        j_int("filesTransferred", p.FilesTransferred);
    } else {
        j_null("bytesTotal"); j_null("bytesTransferred"); j_null("filesTotal"); j_null("filesTransferred");
    }
}

static IBackgroundCopyFile *first_file(IBackgroundCopyJob *job, HRESULT *hr_enum, long long *count) {
    IEnumBackgroundCopyFiles *e = NULL;
    IBackgroundCopyFile *f = NULL;
    ULONG n = 0, fetched = 0;
    *count = -1;
    *hr_enum = IBackgroundCopyJob_EnumFiles(job, &e);
    if (FAILED(*hr_enum)) return NULL;
    if (SUCCEEDED(IEnumBackgroundCopyFiles_GetCount(e, &n))) *count = n;
    if (IEnumBackgroundCopyFiles_Next(e, 1, &f, &fetched) != S_OK) f = NULL;
    IEnumBackgroundCopyFiles_Release(e);
    return f;
}

/* The files' local names (last path segment) in EnumFiles order: BITS keeps the order of AddFile. */
static void j_file_order(const char *k, IBackgroundCopyJob *job) {
    IEnumBackgroundCopyFiles *e = NULL;
    IBackgroundCopyFile *f;
    ULONG fetched;
    if (FAILED(IBackgroundCopyJob_EnumFiles(job, &e))) { j_null(k); return; }
    j_open(k, "[");
    while (IEnumBackgroundCopyFiles_Next(e, 1, &f, &fetched) == S_OK && fetched == 1) {
        WCHAR *s = NULL;
        if (SUCCEEDED(IBackgroundCopyFile_GetLocalName(f, &s)) && s) {
            WCHAR *slash = wcsrchr(s, L'\\');
            j_wstr(NULL, slash ? slash + 1 : s);
            CoTaskMemFree(s);
        } else j_null(NULL);
        IBackgroundCopyFile_Release(f);
    }
    j_close("]");
    IEnumBackgroundCopyFiles_Release(e);
}

/* The job's error object: context, code, file and descriptions. */
static void j_error(IBackgroundCopyJob *job) {
    IBackgroundCopyError *err = NULL;
    BG_ERROR_CONTEXT ctx;
    HRESULT code, hr;
    IBackgroundCopyFile *file = NULL;
    WCHAR *s = NULL;
    hr = IBackgroundCopyJob_GetError(job, &err);
    j_hr("hr_GetError", hr);
    if (FAILED(hr) || !err) { j_null("context"); j_null("code"); return; }
    hr = IBackgroundCopyError_GetError(err, &ctx, &code);
    j_hr("hr_Error_GetError", hr);
    if (SUCCEEDED(hr)) { j_int("context", ctx); j_hr("code", code); } else { j_null("context"); j_null("code"); }
    hr = IBackgroundCopyError_GetFile(err, &file);
    j_hr("hr_Error_GetFile", hr);
    if (SUCCEEDED(hr) && file) {
        s = NULL;
        hr = IBackgroundCopyFile_GetRemoteName(file, &s);
        j_taskstr("errorFileRemoteName", hr, s);
        IBackgroundCopyFile_Release(file);
    } else j_null("errorFileRemoteName");
    s = NULL;
    hr = IBackgroundCopyError_GetErrorDescription(err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &s);
    j_hr("hr_Error_GetErrorDescription", hr);
    j_taskstr("errorDescription", hr, s);
    s = NULL;
    hr = IBackgroundCopyError_GetErrorContextDescription(err, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &s);
    j_hr("hr_Error_GetErrorContextDescription", hr);
    j_taskstr("errorContextDescription", hr, s);
    s = NULL;
    hr = IBackgroundCopyError_GetProtocol(err, &s);
    j_hr("hr_Error_GetProtocol", hr);
    j_taskstr("protocol", hr, s);
    IBackgroundCopyError_Release(err);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* A notification callback (IBackgroundCopyCallback2) that records what BITS calls, in order.                  */

typedef struct {
    IBackgroundCopyCallback2 iface;
    LONG ref;
    HANDLE event;          /* set on JobTransferred or JobError */
    volatile LONG ncalls;
    const char *calls[32];
    volatile LONG modifications;
    volatile LONG state_in_callback;
    volatile LONG asked_cb1, asked_cb2, asked_cb3;
} Callback;

static Callback *cb_of(IBackgroundCopyCallback2 *i) { return (Callback *) i; }

static void cb_record(Callback *cb, const char *what) {
    LONG i = InterlockedIncrement(&cb->ncalls) - 1;
    if (i < 32) cb->calls[i] = what;
}

static HRESULT STDMETHODCALLTYPE cb_QueryInterface(IBackgroundCopyCallback2 *This, REFIID riid, void **out) {
    Callback *cb = cb_of(This);
    if (IsEqualIID(riid, &IID_IBackgroundCopyCallback)) InterlockedExchange(&cb->asked_cb1, 1);
    if (IsEqualIID(riid, &IID_IBackgroundCopyCallback2)) InterlockedExchange(&cb->asked_cb2, 1);
    if (IsEqualIID(riid, &IID_Callback3)) InterlockedExchange(&cb->asked_cb3, 1);
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IBackgroundCopyCallback)
            || IsEqualIID(riid, &IID_IBackgroundCopyCallback2)) {
        *out = This;
        InterlockedIncrement(&cb->ref);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE cb_AddRef(IBackgroundCopyCallback2 *This) {
    return InterlockedIncrement(&cb_of(This)->ref);
}

/* The object is never freed (BITS may hold it past its scenario); the count only tells whether BITS released it. */
static ULONG STDMETHODCALLTYPE cb_Release(IBackgroundCopyCallback2 *This) {
    return InterlockedDecrement(&cb_of(This)->ref);
}

static HRESULT STDMETHODCALLTYPE cb_JobTransferred(IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job) {
    Callback *cb = cb_of(This);
    cb_record(cb, "JobTransferred");
    InterlockedExchange(&cb->state_in_callback, get_state(job));
    SetEvent(cb->event);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE cb_JobError(IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
        IBackgroundCopyError *error) {
    Callback *cb = cb_of(This);
    (void) error;
    cb_record(cb, "JobError");
    InterlockedExchange(&cb->state_in_callback, get_state(job));
    SetEvent(cb->event);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE cb_JobModification(IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
        DWORD reserved) {
    (void) job; (void) reserved;
    InterlockedIncrement(&cb_of(This)->modifications);
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE cb_FileTransferred(IBackgroundCopyCallback2 *This, IBackgroundCopyJob *job,
        IBackgroundCopyFile *file) {
    (void) job; (void) file;
    cb_record(cb_of(This), "FileTransferred");
    return S_OK;
}

static IBackgroundCopyCallback2Vtbl cb_vtbl = {
    cb_QueryInterface, cb_AddRef, cb_Release, cb_JobTransferred, cb_JobError, cb_JobModification,
    cb_FileTransferred,
};

static void cb_init(Callback *cb) {
    memset(cb, 0, sizeof *cb);
    cb->iface.lpVtbl = &cb_vtbl;
    cb->ref = 1;
    cb->state_in_callback = -1;
    cb->event = CreateEventW(NULL, TRUE, FALSE, NULL);
}

static void j_callback(Callback *cb, DWORD wait_ms) {
    DWORD w = WaitForSingleObject(cb->event, wait_ms);
    Sleep(200); /* let a FileTransferred or a late second call land before reading */
    j_bool("callbackFired", w == WAIT_OBJECT_0);
    j_open("calls", "[");
    for (LONG i = 0; i < cb->ncalls && i < 32; i++) { j_sep(); j_cstr_value(cb->calls[i]); }
    j_close("]");
    j_int("modificationCalls", cb->modifications);
    if (cb->state_in_callback >= 0) j_int("stateInCallback", cb->state_in_callback); else j_null("stateInCallback");
    j_bool("askedCallback", cb->asked_cb1);
    j_bool("askedCallback2", cb->asked_cb2);
    j_bool("askedCallback3", cb->asked_cb3);
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Scenarios                                                                                                    */

static void sc_environment(int argc, char **argv) {
    typedef const char *(CDECL *wine_version_fn)(void);
    typedef LONG (WINAPI *rtl_version_fn)(OSVERSIONINFOW *);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    wine_version_fn wv = (wine_version_fn) (void *) GetProcAddress(ntdll, "wine_get_version");
    rtl_version_fn rv = (rtl_version_fn) (void *) GetProcAddress(ntdll, "RtlGetVersion");
    OSVERSIONINFOW osv;
    char buf[64];
    memset(&osv, 0, sizeof osv);
    osv.dwOSVersionInfoSize = sizeof osv;
    j_begin("environment");
    j_int("oracleFormat", ORACLE_FORMAT);
    if (wv) j_str("wine", wv()); else j_null("wine");
    if (rv && rv(&osv) == 0) {
        snprintf(buf, sizeof buf, "%lu.%lu.%lu", osv.dwMajorVersion, osv.dwMinorVersion, osv.dwBuildNumber);
        j_str("windows", buf);
    } else j_null("windows");
    j_wstr("baseUrl", g_base);
    j_wstr("dir", g_dir);
    j_wstr("refusedUrl", g_refused);
    j_int("pointerSize", (long long) sizeof(void *));
    j_int("sizeofWchar", (long long) sizeof(WCHAR));
    j_int("sizeofJobProgress", (long long) sizeof(BG_JOB_PROGRESS));
    j_int("sizeofFileProgress", (long long) sizeof(BG_FILE_PROGRESS));
    j_int("sizeofJobTimes", (long long) sizeof(BG_JOB_TIMES));
    j_int("sizeofFileInfo", (long long) sizeof(BG_FILE_INFO));
    j_int("sizeofJobPropertyValue", (long long) sizeof(BITS_JOB_PROPERTY_VALUE));
    j_int("argc", argc);
    (void) argv;
    j_end();
}

static const struct { const char *version; const GUID *clsid; } CLSIDS[] = {
    { "1.0", &CLSID_BackgroundCopyManager }, { "1.5", &CLSID_BackgroundCopyManager1_5 },
    { "2.0", &CLSID_BackgroundCopyManager2_0 }, { "2.5", &CLSID_BackgroundCopyManager2_5 },
    { "3.0", &CLSID_BackgroundCopyManager3_0 }, { "4.0", &CLSID_BCM_4_0 }, { "5.0", &CLSID_BCM_5_0 },
    { "10.1", &CLSID_BCM_10_1 }, { "10.2", &CLSID_BCM_10_2 }, { "10.3", &CLSID_BCM_10_3 },
};

/* Activation of every versioned CLSID: the newest that activates is the BITS version present. */
static void sc_activation(HRESULT hr_init, HRESULT hr_sec, HRESULT hr_create) {
    const char *newest = NULL;
    j_begin("activation");
    j_hr("hr_CoInitializeEx", hr_init);
    j_hr("hr_CoInitializeSecurity", hr_sec);
    j_hr("hr_CoCreateInstance", hr_create);
    j_open("clsids", "{");
    for (size_t i = 0; i < sizeof CLSIDS / sizeof CLSIDS[0]; i++) {
        IBackgroundCopyManager *m = NULL;
        HRESULT hr = CoCreateInstance(CLSIDS[i].clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IBackgroundCopyManager,
                (void **) &m);
        j_hr(CLSIDS[i].version, hr);
        if (SUCCEEDED(hr)) { newest = CLSIDS[i].version; IBackgroundCopyManager_Release(m); }
    }
    j_close("}");
    if (newest) j_str("newestVersion", newest); else j_null("newestVersion");
    j_end();
}

static void sc_new_job_defaults(void) {
    IBackgroundCopyJob *job;
    GUID id;
    HRESULT hr;
    WCHAR *s;
    j_begin("new-job-defaults");
    hr = create(L"jbits-oracle defaults", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    {
        GUID got;
        hr = IBackgroundCopyJob_GetId(job, &got);
        j_hr("hr_GetId", hr);
        j_bool("idMatches", SUCCEEDED(hr) && IsEqualGUID(&got, &id));
    }
    { BG_JOB_STATE v; hr = IBackgroundCopyJob_GetState(job, &v); j_hr("hr_GetState", hr);
      if (SUCCEEDED(hr)) j_int("state", v); else j_null("state"); }
    { BG_JOB_TYPE v; hr = IBackgroundCopyJob_GetType(job, &v); j_hr("hr_GetType", hr);
      if (SUCCEEDED(hr)) j_int("type", v); else j_null("type"); }
    { BG_JOB_PRIORITY v; hr = IBackgroundCopyJob_GetPriority(job, &v); j_hr("hr_GetPriority", hr);
      if (SUCCEEDED(hr)) j_int("priority", v); else j_null("priority"); }
    { ULONG v; hr = IBackgroundCopyJob_GetNotifyFlags(job, &v); j_hr("hr_GetNotifyFlags", hr);
      if (SUCCEEDED(hr)) j_int("notifyFlags", v); else j_null("notifyFlags"); }
    { ULONG v; hr = IBackgroundCopyJob_GetMinimumRetryDelay(job, &v); j_hr("hr_GetMinimumRetryDelay", hr);
      if (SUCCEEDED(hr)) j_int("minRetryDelay", v); else j_null("minRetryDelay"); }
    { ULONG v; hr = IBackgroundCopyJob_GetNoProgressTimeout(job, &v); j_hr("hr_GetNoProgressTimeout", hr);
      if (SUCCEEDED(hr)) j_int("noProgressTimeout", v); else j_null("noProgressTimeout"); }
    { ULONG v; hr = IBackgroundCopyJob_GetErrorCount(job, &v); j_hr("hr_GetErrorCount", hr);
      if (SUCCEEDED(hr)) j_int("errorCount", v); else j_null("errorCount"); }
    {
        BG_JOB_PROXY_USAGE u; WCHAR *list = NULL, *bypass = NULL;
        hr = IBackgroundCopyJob_GetProxySettings(job, &u, &list, &bypass);
        j_hr("hr_GetProxySettings", hr);
        if (SUCCEEDED(hr)) j_int("proxyUsage", u); else j_null("proxyUsage");
        j_taskstr("proxyList", hr, list);
        j_taskstr("proxyBypassList", hr, bypass);
    }
    j_progress(job);
    {
        BG_JOB_TIMES t;
        hr = IBackgroundCopyJob_GetTimes(job, &t);
        j_hr("hr_GetTimes", hr);
        if (SUCCEEDED(hr)) {
            j_bool("creationTimeSet", t.CreationTime.dwLowDateTime || t.CreationTime.dwHighDateTime);
            j_bool("transferCompletionTimeZero",
                    !t.TransferCompletionTime.dwLowDateTime && !t.TransferCompletionTime.dwHighDateTime);
        } else { j_null("creationTimeSet"); j_null("transferCompletionTimeZero"); }
    }
    s = NULL; hr = IBackgroundCopyJob_GetOwner(job, &s); j_hr("hr_GetOwner", hr); j_taskstr("owner", hr, s);
    s = NULL; hr = IBackgroundCopyJob_GetDisplayName(job, &s); j_hr("hr_GetDisplayName", hr);
    j_taskstr("displayName", hr, s);
    s = NULL; hr = IBackgroundCopyJob_GetDescription(job, &s); j_hr("hr_GetDescription", hr);
    j_taskstr("description", hr, s);
    {
        IBackgroundCopyError *err = NULL;
        hr = IBackgroundCopyJob_GetError(job, &err);
        j_hr("hr_GetError", hr);
        if (err) IBackgroundCopyError_Release(err);
    }
    {
        IUnknown *cb = NULL;
        hr = IBackgroundCopyJob_GetNotifyInterface(job, &cb);
        j_hr("hr_GetNotifyInterface", hr);
        j_bool("notifyInterfaceNull", cb == NULL);
        if (cb) IUnknown_Release(cb);
    }
    j_end();
    discard(job);
}

static void qi_line(const char *scenario, IUnknown *obj, const GUID *iid) {
    IUnknown *out = NULL;
    HRESULT hr = obj ? IUnknown_QueryInterface(obj, iid, (void **) &out) : E_POINTER;
    j_begin(scenario);
    j_guid("iid", iid);
    j_hr("hr", hr);
    j_end();
    if (out) IUnknown_Release(out);
}

/* QueryInterface on a job and on one of its files: which interface versions this BITS offers. */
static void sc_qi(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyFile *file = NULL;
    WCHAR u[2048], l[MAX_PATH];
    HRESULT hr_enum;
    long long n;
    if (FAILED(create(L"jbits-oracle qi", BG_JOB_TYPE_DOWNLOAD, NULL, &job))) return;
    if (wanted("qi-job2")) qi_line("qi-job2", (IUnknown *) job, &IID_IBackgroundCopyJob2);
    if (wanted("qi-job3")) qi_line("qi-job3", (IUnknown *) job, &IID_IBackgroundCopyJob3);
    if (wanted("qi-job4")) qi_line("qi-job4", (IUnknown *) job, &IID_IBackgroundCopyJob4);
    if (wanted("qi-job5")) qi_line("qi-job5", (IUnknown *) job, &IID_IBackgroundCopyJob5);
    if (wanted("qi-http-options")) qi_line("qi-http-options", (IUnknown *) job, &IID_IBackgroundCopyJobHttpOptions);
    if (wanted("qi-http-options2")) qi_line("qi-http-options2", (IUnknown *) job, &IID_HttpOptions2);
    if (wanted("qi-http-options3")) qi_line("qi-http-options3", (IUnknown *) job, &IID_HttpOptions3);
    if (wanted("qi-token-options")) qi_line("qi-token-options", (IUnknown *) job, &IID_TokenOptions);
    url(u, L"small.txt");
    local(l, L"qi.txt");
    IBackgroundCopyJob_AddFile(job, u, l);
    file = first_file(job, &hr_enum, &n);
    if (wanted("qi-file2")) qi_line("qi-file2", (IUnknown *) file, &IID_IBackgroundCopyFile2);
    if (wanted("qi-file3")) qi_line("qi-file3", (IUnknown *) file, &IID_File3);
    if (wanted("qi-file4")) qi_line("qi-file4", (IUnknown *) file, &IID_File4);
    if (wanted("qi-file5")) qi_line("qi-file5", (IUnknown *) file, &IID_File5);
    if (wanted("qi-file6")) qi_line("qi-file6", (IUnknown *) file, &IID_File6);
    if (file) IBackgroundCopyFile_Release(file);
    discard(job);
}

static void sc_resume_empty(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    j_begin("resume-empty");
    hr = create(L"jbits-oracle resume-empty", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (SUCCEEDED(hr)) {
        j_hr("hr", IBackgroundCopyJob_Resume(job));
        j_state("stateAfter", job);
    }
    j_end();
    discard(job);
}

static void sc_suspend(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    j_begin("suspend");
    hr = create(L"jbits-oracle suspend", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (SUCCEEDED(hr)) {
        j_hr("hr", IBackgroundCopyJob_Suspend(job));
        j_state("stateAfter", job);
    }
    j_end();
    discard(job);
}

static void sc_display_name_257(void) {
    IBackgroundCopyJob *job256 = NULL, *job257 = NULL;
    WCHAR *n256 = repeat(L'n', 256), *n257 = repeat(L'n', 257), *s = NULL;
    HRESULT hr;
    j_begin("display-name-257");
    j_hr("hr_CreateJob_256", create(n256, BG_JOB_TYPE_DOWNLOAD, NULL, &job256));
    j_hr("hr", create(n257, BG_JOB_TYPE_DOWNLOAD, NULL, &job257));
    if (job257) {
        hr = IBackgroundCopyJob_GetDisplayName(job257, &s);
        j_int("createdNameLength", SUCCEEDED(hr) && s ? (long long) wcslen(s) : -1);
        if (s) CoTaskMemFree(s);
    } else j_null("createdNameLength");
    if (job256) j_hr("hr_SetDisplayName_257", IBackgroundCopyJob_SetDisplayName(job256, n257));
    else j_null("hr_SetDisplayName_257");
    j_end();
    discard(job256);
    discard(job257);
    free(n256);
    free(n257);
}

static void sc_description_1025(void) {
    IBackgroundCopyJob *job;
    WCHAR *d1024 = repeat(L'd', 1024), *d1025 = repeat(L'd', 1025);
    HRESULT hr;
    j_begin("description-1025");
    hr = create(L"jbits-oracle description-1025", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (SUCCEEDED(hr)) {
        j_hr("hr_SetDescription_1024", IBackgroundCopyJob_SetDescription(job, d1024));
        j_hr("hr", IBackgroundCopyJob_SetDescription(job, d1025));
    }
    j_end();
    discard(job);
    free(d1024);
    free(d1025);
}

/* UTF-16 through CreateJob/GetDisplayName, SetDisplayName and Set/GetDescription, with a surrogate pair. */
static void sc_display_name_round_trip(void) {
    IBackgroundCopyJob *job;
    WCHAR *s = NULL;
    HRESULT hr;
    j_begin("display-name-round-trip");
    hr = create(UNICODE_NAME, BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_wstr("sent", UNICODE_NAME);
    j_int("sentUnits", (long long) wcslen(UNICODE_NAME));
    hr = IBackgroundCopyJob_GetDisplayName(job, &s);
    j_hr("hr_GetDisplayName", hr);
    j_bool("equal", SUCCEEDED(hr) && s && wcscmp(s, UNICODE_NAME) == 0);
    j_int("gotUnits", SUCCEEDED(hr) && s ? (long long) wcslen(s) : -1);
    j_taskstr("got", hr, s);
    j_wstr("sentRename", UNICODE_NAME2);
    j_hr("hr_SetDisplayName", IBackgroundCopyJob_SetDisplayName(job, UNICODE_NAME2));
    s = NULL;
    hr = IBackgroundCopyJob_GetDisplayName(job, &s);
    j_bool("renameEqual", SUCCEEDED(hr) && s && wcscmp(s, UNICODE_NAME2) == 0);
    j_taskstr("gotAfterRename", hr, s);
    j_end();
    discard(job);
}

static void sc_description_round_trip(void) {
    IBackgroundCopyJob *job;
    WCHAR *s = NULL;
    HRESULT hr;
    j_begin("description-round-trip");
    hr = create(L"jbits-oracle description", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_wstr("sent", UNICODE_DESCRIPTION);
    j_hr("hr_SetDescription", IBackgroundCopyJob_SetDescription(job, UNICODE_DESCRIPTION));
    hr = IBackgroundCopyJob_GetDescription(job, &s);
    j_hr("hr_GetDescription", hr);
    j_bool("equal", SUCCEEDED(hr) && s && wcscmp(s, UNICODE_DESCRIPTION) == 0);
    j_taskstr("got", hr, s);
    j_hr("hr_SetDescription_empty", IBackgroundCopyJob_SetDescription(job, L""));
    s = NULL;
    hr = IBackgroundCopyJob_GetDescription(job, &s);
    j_taskstr("gotAfterEmpty", hr, s);
    j_end();
    discard(job);
}

static void sc_priority_round_trip(void) {
    IBackgroundCopyJob *job;
    static const BG_JOB_PRIORITY ps[] = { BG_JOB_PRIORITY_FOREGROUND, BG_JOB_PRIORITY_HIGH, BG_JOB_PRIORITY_NORMAL,
                                          BG_JOB_PRIORITY_LOW };
    HRESULT hr;
    j_begin("priority-round-trip");
    hr = create(L"jbits-oracle priority", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_open("set", "[");
    for (int i = 0; i < 4; i++) j_int(NULL, ps[i]);
    j_close("]");
    {
        HRESULT set[4], get[4];
        BG_JOB_PRIORITY got[4];
        for (int i = 0; i < 4; i++) {
            set[i] = IBackgroundCopyJob_SetPriority(job, ps[i]);
            get[i] = IBackgroundCopyJob_GetPriority(job, &got[i]);
        }
        j_open("hr_SetPriority", "[");
        for (int i = 0; i < 4; i++) j_hr(NULL, set[i]);
        j_close("]");
        j_open("priority", "[");
        for (int i = 0; i < 4; i++) if (SUCCEEDED(get[i])) j_int(NULL, got[i]); else j_null(NULL);
        j_close("]");
        j_open("hr_GetPriority", "[");
        for (int i = 0; i < 4; i++) j_hr(NULL, get[i]);
        j_close("]");
    }
    j_hr("hr_SetPriority_invalid", IBackgroundCopyJob_SetPriority(job, (BG_JOB_PRIORITY) 4));
    j_end();
    discard(job);
}

static void sc_notify_flags_round_trip(void) {
    IBackgroundCopyJob *job;
    static const ULONG fs[] = { 0x1, 0x3, 0xB, 0x1F, 0x20, 0x3F, 0x0 };
    enum { N = sizeof fs / sizeof fs[0] };
    HRESULT set[N], get[N], hr;
    ULONG got[N];
    j_begin("notify-flags-round-trip");
    hr = create(L"jbits-oracle notify-flags", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    for (int i = 0; i < N; i++) {
        set[i] = IBackgroundCopyJob_SetNotifyFlags(job, fs[i]);
        get[i] = IBackgroundCopyJob_GetNotifyFlags(job, &got[i]);
    }
    j_open("set", "["); for (int i = 0; i < N; i++) j_int(NULL, fs[i]); j_close("]");
    j_open("hr_SetNotifyFlags", "["); for (int i = 0; i < N; i++) j_hr(NULL, set[i]); j_close("]");
    j_open("notifyFlags", "[");
    for (int i = 0; i < N; i++) if (SUCCEEDED(get[i])) j_int(NULL, got[i]); else j_null(NULL);
    j_close("]");
    j_open("hr_GetNotifyFlags", "["); for (int i = 0; i < N; i++) j_hr(NULL, get[i]); j_close("]");
    j_end();
    discard(job);
}

static void sc_retry_settings(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    ULONG v;
    j_begin("retry-settings-round-trip");
    hr = create(L"jbits-oracle retry", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
#define SET_GET(label, setter, getter, value)                                                                    \
    j_hr("hr_" #setter "_" label, IBackgroundCopyJob_##setter(job, value));                                     \
    hr = IBackgroundCopyJob_##getter(job, &v);                                                                   \
    j_hr("hr_" #getter "_" label, hr);                                                                           \
    if (SUCCEEDED(hr)) j_int(#getter "_" label, v); else j_null(#getter "_" label);
    SET_GET("60", SetMinimumRetryDelay, GetMinimumRetryDelay, 60)
    SET_GET("1", SetMinimumRetryDelay, GetMinimumRetryDelay, 1)
    SET_GET("3600", SetNoProgressTimeout, GetNoProgressTimeout, 3600)
    SET_GET("0", SetNoProgressTimeout, GetNoProgressTimeout, 0)
#undef SET_GET
    j_end();
    discard(job);
}

static void sc_proxy_settings(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    BG_JOB_PROXY_USAGE u;
    WCHAR *list, *bypass;
    j_begin("proxy-settings-round-trip");
    hr = create(L"jbits-oracle proxy", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_hr("hr_SetProxySettings_override",
            IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_OVERRIDE, L"127.0.0.1:3128", L"<local>"));
    list = bypass = NULL;
    hr = IBackgroundCopyJob_GetProxySettings(job, &u, &list, &bypass);
    j_hr("hr_GetProxySettings_override", hr);
    if (SUCCEEDED(hr)) j_int("usage_override", u); else j_null("usage_override");
    j_taskstr("list_override", hr, list);
    j_taskstr("bypass_override", hr, bypass);
    j_hr("hr_SetProxySettings_preconfigWithList",
            IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_PRECONFIG, L"127.0.0.1:3128", NULL));
    j_hr("hr_SetProxySettings_noProxy", IBackgroundCopyJob_SetProxySettings(job, BG_JOB_PROXY_USAGE_NO_PROXY, NULL, NULL));
    list = bypass = NULL;
    hr = IBackgroundCopyJob_GetProxySettings(job, &u, &list, &bypass);
    j_hr("hr_GetProxySettings_noProxy", hr);
    if (SUCCEEDED(hr)) j_int("usage_noProxy", u); else j_null("usage_noProxy");
    j_taskstr("list_noProxy", hr, list);
    j_taskstr("bypass_noProxy", hr, bypass);
    j_end();
    discard(job);
}

static void sc_job2(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyJob2 *j2 = NULL;
    HRESULT hr;
    WCHAR *a = NULL, *b = NULL;
    j_begin("job2-methods");
    hr = create(L"jbits-oracle job2", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob2, (void **) &j2);
    j_hr("hr_QueryInterface", hr);
    if (SUCCEEDED(hr)) {
        BG_AUTH_CREDENTIALS c;
        j_hr("hr_SetNotifyCmdLine", IBackgroundCopyJob2_SetNotifyCmdLine(j2, L"C:\\windows\\system32\\cmd.exe",
                L"C:\\windows\\system32\\cmd.exe /c exit 0"));
        hr = IBackgroundCopyJob2_GetNotifyCmdLine(j2, &a, &b);
        j_hr("hr_GetNotifyCmdLine", hr);
        j_taskstr("notifyProgram", hr, a);
        j_taskstr("notifyParameters", hr, b);
        a = NULL;
        hr = IBackgroundCopyJob2_GetReplyFileName(j2, &a);
        j_hr("hr_GetReplyFileName", hr);
        if (a) CoTaskMemFree(a);
        memset(&c, 0, sizeof c);
        c.Target = BG_AUTH_TARGET_SERVER;
        c.Scheme = BG_AUTH_SCHEME_BASIC;
        c.Credentials.Basic.UserName = L"oracle";
        c.Credentials.Basic.Password = L"secret";
        j_hr("hr_SetCredentials", IBackgroundCopyJob2_SetCredentials(j2, &c));
        j_hr("hr_RemoveCredentials", IBackgroundCopyJob2_RemoveCredentials(j2, BG_AUTH_TARGET_SERVER,
                BG_AUTH_SCHEME_BASIC));
        j_hr("hr_RemoveCredentials_again", IBackgroundCopyJob2_RemoveCredentials(j2, BG_AUTH_TARGET_SERVER,
                BG_AUTH_SCHEME_BASIC));
        IBackgroundCopyJob2_Release(j2);
    }
    j_end();
    discard(job);
}

static void sc_job4(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyJob4 *j4 = NULL;
    HRESULT hr;
    j_begin("job4-methods");
    hr = create(L"jbits-oracle job4", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob4, (void **) &j4);
    j_hr("hr_QueryInterface", hr);
    if (SUCCEEDED(hr)) {
        ULONG v; DWORD d; BOOL b;
        hr = IBackgroundCopyJob4_GetMaximumDownloadTime(j4, &v);
        j_hr("hr_GetMaximumDownloadTime_default", hr);
        if (SUCCEEDED(hr)) j_int("maximumDownloadTime_default", v); else j_null("maximumDownloadTime_default");
        j_hr("hr_SetMaximumDownloadTime", IBackgroundCopyJob4_SetMaximumDownloadTime(j4, 3600));
        hr = IBackgroundCopyJob4_GetMaximumDownloadTime(j4, &v);
        j_hr("hr_GetMaximumDownloadTime", hr);
        if (SUCCEEDED(hr)) j_int("maximumDownloadTime", v); else j_null("maximumDownloadTime");
        hr = IBackgroundCopyJob4_GetPeerCachingFlags(j4, &d);
        j_hr("hr_GetPeerCachingFlags", hr);
        hr = IBackgroundCopyJob4_GetOwnerIntegrityLevel(j4, &v);
        j_hr("hr_GetOwnerIntegrityLevel", hr);
        hr = IBackgroundCopyJob4_GetOwnerElevationState(j4, &b);
        j_hr("hr_GetOwnerElevationState", hr);
        {
            DWORD flags = 0;
            IBackgroundCopyJob3 *j3 = (IBackgroundCopyJob3 *) j4;
            j_hr("hr_SetFileACLFlags", IBackgroundCopyJob3_SetFileACLFlags(j3, BG_COPY_FILE_OWNER));
            hr = IBackgroundCopyJob3_GetFileACLFlags(j3, &flags);
            j_hr("hr_GetFileACLFlags", hr);
            if (SUCCEEDED(hr)) j_int("fileACLFlags", flags); else j_null("fileACLFlags");
        }
        IBackgroundCopyJob4_Release(j4);
    }
    j_end();
    discard(job);
}

static void sc_job5(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyJob5 *j5 = NULL;
    HRESULT hr;
    j_begin("job5-properties");
    hr = create(L"jbits-oracle job5", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJob5, (void **) &j5);
    j_hr("hr_QueryInterface", hr);
    if (SUCCEEDED(hr)) {
        static const struct { const char *name; BITS_JOB_PROPERTY_ID id; int wide; } props[] = {
            { "costFlags", BITS_JOB_PROPERTY_ID_COST_FLAGS, 0 },
            { "dynamicContent", BITS_JOB_PROPERTY_DYNAMIC_CONTENT, 0 },
            { "highPerformance", BITS_JOB_PROPERTY_HIGH_PERFORMANCE, 0 },
            { "maxDownloadSize", BITS_JOB_PROPERTY_MAX_DOWNLOAD_SIZE, 1 },
            { "minimumNotificationIntervalMs", BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, 0 },
            { "onDemandMode", BITS_JOB_PROPERTY_ON_DEMAND_MODE, 0 },
        };
        char key[80];
        BITS_JOB_PROPERTY_VALUE v;
        for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
            memset(&v, 0, sizeof v);
            hr = IBackgroundCopyJob5_GetProperty(j5, props[i].id, &v);
            snprintf(key, sizeof key, "hr_GetProperty_%s", props[i].name);
            j_hr(key, hr);
            if (SUCCEEDED(hr)) j_int(props[i].name, props[i].wide ? (long long) v.Uint64 : (long long) v.Dword);
            else j_null(props[i].name);
        }
        /* The 16-byte union goes by value in C; the x64 ABI passes it as a pointer to a caller-owned copy. */
        memset(&v, 0, sizeof v);
        v.Dword = 1000;
        j_hr("hr_SetProperty_minimumNotificationIntervalMs",
                IBackgroundCopyJob5_SetProperty(j5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, v));
        memset(&v, 0, sizeof v);
        hr = IBackgroundCopyJob5_GetProperty(j5, BITS_JOB_PROPERTY_MINIMUM_NOTIFICATION_INTERVAL_MS, &v);
        if (SUCCEEDED(hr)) j_int("minimumNotificationIntervalMsAfterSet", v.Dword);
        else j_null("minimumNotificationIntervalMsAfterSet");
        IBackgroundCopyJob5_Release(j5);
    }
    j_end();
    discard(job);
}

static void sc_http_options(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyJobHttpOptions *o = NULL;
    HRESULT hr;
    WCHAR *s = NULL;
    ULONG f;
    j_begin("http-options");
    hr = create(L"jbits-oracle http-options", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IBackgroundCopyJob_QueryInterface(job, &IID_IBackgroundCopyJobHttpOptions, (void **) &o);
    j_hr("hr_QueryInterface", hr);
    if (SUCCEEDED(hr)) {
        hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(o, &s);
        j_hr("hr_GetCustomHeaders_none", hr);
        j_taskstr("customHeaders_none", hr, s);
        j_hr("hr_SetCustomHeaders", IBackgroundCopyJobHttpOptions_SetCustomHeaders(o, L"X-Jbits-Oracle: 1\r\n"));
        s = NULL;
        hr = IBackgroundCopyJobHttpOptions_GetCustomHeaders(o, &s);
        j_hr("hr_GetCustomHeaders", hr);
        j_taskstr("customHeaders", hr, s);
        hr = IBackgroundCopyJobHttpOptions_GetSecurityFlags(o, &f);
        j_hr("hr_GetSecurityFlags_default", hr);
        if (SUCCEEDED(hr)) j_int("securityFlags_default", f); else j_null("securityFlags_default");
        j_hr("hr_SetSecurityFlags", IBackgroundCopyJobHttpOptions_SetSecurityFlags(o, BG_SSL_IGNORE_UNKNOWN_CA));
        hr = IBackgroundCopyJobHttpOptions_GetSecurityFlags(o, &f);
        j_hr("hr_GetSecurityFlags", hr);
        if (SUCCEEDED(hr)) j_int("securityFlags", f); else j_null("securityFlags");
        IBackgroundCopyJobHttpOptions_Release(o);
    }
    j_end();
    discard(job);
}

static void sc_add_file_validation(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    WCHAR u[2048], l[MAX_PATH];
    j_begin("add-file-validation");
    hr = create(L"jbits-oracle add-file", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    url(u, L"small.txt");
    local(l, L"ftp.txt");
    j_hr("hr_AddFile_relativeLocal", IBackgroundCopyJob_AddFile(job, u, L"relative.txt"));
    j_hr("hr_AddFile_ftp", IBackgroundCopyJob_AddFile(job, L"ftp://127.0.0.1/x.txt", l));
    j_hr("hr_AddFile_wildcard", IBackgroundCopyJob_AddFile(job, L"http://127.0.0.1/*.txt", l));
    j_progress(job);
    j_end();
    discard(job);
}

static void sc_upload_job(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    BG_JOB_TYPE t;
    WCHAR u[2048], l1[MAX_PATH], l2[MAX_PATH];
    j_begin("upload-job");
    hr = create(L"jbits-oracle upload", BG_JOB_TYPE_UPLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IBackgroundCopyJob_GetType(job, &t);
    if (SUCCEEDED(hr)) j_int("type", t); else j_null("type");
    url(u, L"upload.bin");
    local(l1, L"upload-1.txt");
    local(l2, L"upload-2.txt");
    j_hr("hr_AddFile_first", IBackgroundCopyJob_AddFile(job, u, l1));
    j_hr("hr", IBackgroundCopyJob_AddFile(job, u, l2));
    j_end();
    discard(job);
}

static void sc_error_description(void) {
    WCHAR *s = NULL;
    HRESULT hr = IBackgroundCopyManager_GetErrorDescription(g_mgr, BG_E_EMPTY,
            MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), &s);
    j_begin("error-description");
    j_hr("hr", hr);
    j_taskstr("description", hr, s);
    j_end();
}

/* The main path: download data.bin, watch the states, read the file back, Complete. Then every mutator on
 * the acknowledged job. */
static void sc_download(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyFile *file;
    GUID id;
    HRESULT hr, hr_enum;
    WCHAR u[2048], l[MAX_PATH], *s;
    StateLog log = { { 0 }, 0, 0 };
    long long nfiles;
    int want_final = wanted("completed-job-is-final");
    url(u, L"data.bin");
    local(l, L"download.bin");
    DeleteFileW(l);
    j_begin("download");
    j_wstr("url", u);
    hr = create(L"jbits-oracle download", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, u, l));
    log_state(&log, get_state(job));
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    {
        BG_JOB_PROGRESS p;
        if (SUCCEEDED(IBackgroundCopyJob_GetProgress(job, &p))) j_int("bytesTotalAfterResume", (long long) p.BytesTotal);
        else j_null("bytesTotalAfterResume");
    }
    j_int("state", wait_settled(job, &log));
    j_states("states", &log);
    j_progress(job);
    file = first_file(job, &hr_enum, &nfiles);
    j_hr("hr_EnumFiles", hr_enum);
    j_int("fileCount", nfiles);
    if (file) {
        BG_FILE_PROGRESS fp;
        s = NULL;
        hr = IBackgroundCopyFile_GetRemoteName(file, &s);
        j_bool("remoteNameEqual", SUCCEEDED(hr) && s && wcscmp(s, u) == 0);
        if (s) CoTaskMemFree(s);
        s = NULL;
        hr = IBackgroundCopyFile_GetLocalName(file, &s);
        j_bool("localNameEqual", SUCCEEDED(hr) && s && wcscmp(s, l) == 0);
        if (s) CoTaskMemFree(s);
        hr = IBackgroundCopyFile_GetProgress(file, &fp);
        j_hr("hr_File_GetProgress", hr);
        if (SUCCEEDED(hr)) {
            j_int("fileBytesTotal", (long long) fp.BytesTotal);
            j_int("fileBytesTransferred", (long long) fp.BytesTransferred);
            j_bool("fileCompleted", fp.Completed);
        }
        IBackgroundCopyFile_Release(file);
    }
    j_bool("localExistsBeforeComplete", exists(l));
    j_hr("hr_Complete", IBackgroundCopyJob_Complete(job));
    j_state("stateAfterComplete", job);
    j_bool("localExists", exists(l));
    j_int("localSize", file_size(l));
    j_fnv("localFnv1a64", l);
    j_end();
    g_id_completed = id;
    g_have_completed = 1;
    if (want_final) {
        WCHAR l2[MAX_PATH];
        local(l2, L"after-complete.bin");
        j_begin("completed-job-is-final");
        j_state("state", job);
        j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
        j_hr("hr_Suspend", IBackgroundCopyJob_Suspend(job));
        j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, u, l2));
        j_hr("hr_SetDescription", IBackgroundCopyJob_SetDescription(job, L"late"));
        j_hr("hr_Complete", IBackgroundCopyJob_Complete(job));
        j_hr("hr_Cancel", IBackgroundCopyJob_Cancel(job));
        {
            IBackgroundCopyJob *again = NULL;
            j_hr("hr_GetJob", IBackgroundCopyManager_GetJob(g_mgr, &id, &again));
            if (again) IBackgroundCopyJob_Release(again);
        }
        j_end();
    }
    IBackgroundCopyJob_Release(job);
}

/* A small file to a local name with non-ASCII characters: UTF-16 paths through AddFile and GetLocalName. */
static void sc_download_unicode_name(void) {
    IBackgroundCopyJob *job;
    IBackgroundCopyFile *file;
    HRESULT hr, hr_enum;
    WCHAR u[2048], l[MAX_PATH], *s = NULL;
    StateLog log = { { 0 }, 0, 0 };
    long long n;
    url(u, L"small.txt");
    local(l, UNICODE_FILE);
    DeleteFileW(l);
    j_begin("download-unicode-name");
    hr = create(L"jbits-oracle unicode-name", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_wstr("localName", l);
    j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, u, l));
    file = first_file(job, &hr_enum, &n);
    if (file) {
        hr = IBackgroundCopyFile_GetLocalName(file, &s);
        j_bool("localNameEqual", SUCCEEDED(hr) && s && wcscmp(s, l) == 0);
        j_taskstr("gotLocalName", hr, s);
        IBackgroundCopyFile_Release(file);
    }
    log_state(&log, get_state(job));
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    j_int("state", wait_settled(job, &log));
    j_states("states", &log);
    j_hr("hr_Complete", IBackgroundCopyJob_Complete(job));
    j_bool("localExists", exists(l));
    j_int("localSize", file_size(l));
    j_end();
    IBackgroundCopyJob_Release(job);
}

static void run_failing(const char *scenario, const WCHAR *name, const WCHAR *remote, const WCHAR *localname) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    WCHAR l[MAX_PATH];
    ULONG n;
    StateLog log = { { 0 }, 0, 0 };
    local(l, localname);
    DeleteFileW(l);
    j_begin(scenario);
    j_wstr("url", remote);
    hr = create(name, BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, remote, l));
    log_state(&log, get_state(job));
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    j_int("state", wait_settled(job, &log));
    j_states("states", &log);
    j_error(job);
    hr = IBackgroundCopyJob_GetErrorCount(job, &n);
    j_hr("hr_GetErrorCount", hr);
    if (SUCCEEDED(hr)) j_int("errorCount", n); else j_null("errorCount");
    j_progress(job);
    j_hr("hr_Cancel", IBackgroundCopyJob_Cancel(job));
    j_state("stateAfterCancel", job);
    j_bool("localExistsAfterCancel", exists(l));
    j_end();
    IBackgroundCopyJob_Release(job);
}

static void sc_http_404(void) {
    WCHAR u[2048];
    url(u, L"missing.bin");
    run_failing("http-404", L"jbits-oracle http-404", u, L"missing.bin");
}

static void sc_connection_refused(void) { run_failing("connection-refused", L"jbits-oracle connection-refused", g_refused, L"refused.bin"); }

/* Two files, the second a 404: Complete of the job in error keeps the transferred file only. */
static void sc_complete_partial(void) {
    IBackgroundCopyJob *job;
    HRESULT hr;
    WCHAR u1[2048], u2[2048], l1[MAX_PATH], l2[MAX_PATH];
    StateLog log = { { 0 }, 0, 0 };
    url(u1, L"small.txt");
    url(u2, L"missing.bin");
    local(l1, L"partial-good.txt");
    local(l2, L"partial-missing.bin");
    DeleteFileW(l1);
    DeleteFileW(l2);
    j_begin("complete-partial");
    hr = create(L"jbits-oracle complete-partial", BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    {
        BG_FILE_INFO set[2] = { { u1, l1 }, { u2, l2 } };
        j_hr("hr_AddFileSet", IBackgroundCopyJob_AddFileSet(job, 2, set));
    }
    j_file_order("enumOrder", job);
    log_state(&log, get_state(job));
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    j_int("state", wait_settled(job, &log));
    j_states("states", &log);
    j_progress(job);
    j_hr("hr_Complete", IBackgroundCopyJob_Complete(job));
    j_state("stateAfterComplete", job);
    j_bool("goodExists", exists(l1));
    j_bool("missingExists", exists(l2));
    j_end();
    IBackgroundCopyJob_Release(job);
}

static void sc_cancel(void) {
    IBackgroundCopyJob *job, *again = NULL;
    GUID id;
    HRESULT hr;
    WCHAR u[2048], l[MAX_PATH];
    url(u, L"data.bin");
    local(l, L"cancel.bin");
    j_begin("cancel");
    hr = create(L"jbits-oracle cancel", BG_JOB_TYPE_DOWNLOAD, &id, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, u, l));
    j_hr("hr", IBackgroundCopyJob_Cancel(job));
    j_state("state", job);
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    j_hr("hr_Cancel_again", IBackgroundCopyJob_Cancel(job));
    j_hr("hr_GetJob", IBackgroundCopyManager_GetJob(g_mgr, &id, &again));
    if (again) IBackgroundCopyJob_Release(again);
    j_bool("localExists", exists(l));
    j_end();
    g_id_cancelled = id;
    g_have_cancelled = 1;
    IBackgroundCopyJob_Release(job);
}

/* Notifications: an IBackgroundCopyCallback2 implemented here, called back across processes by BITS. */
static void run_callback(const char *scenario, const WCHAR *name, int fail) {
    /* A new object per scenario: COM keeps the stub of an object BITS has seen, and a proxy answers a
     * QueryInterface it already made without asking the object, so a reused object would hide what BITS asks. */
    Callback *cbp = malloc(sizeof *cbp);
    IBackgroundCopyJob *job;
    HRESULT hr;
    WCHAR u[2048], l[MAX_PATH];
    StateLog log = { { 0 }, 0, 0 };
    cb_init(cbp);
    url(u, fail ? L"missing.bin" : L"small.txt");
    local(l, fail ? L"callback-missing.bin" : L"callback.txt");
    DeleteFileW(l);
    j_begin(scenario);
    hr = create(name, BG_JOB_TYPE_DOWNLOAD, NULL, &job);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    j_hr("hr_SetNotifyInterface", IBackgroundCopyJob_SetNotifyInterface(job, (IUnknown *) &cbp->iface));
    j_hr("hr_SetNotifyFlags", IBackgroundCopyJob_SetNotifyFlags(job, BG_NOTIFY_JOB_TRANSFERRED | BG_NOTIFY_JOB_ERROR
            | BG_NOTIFY_JOB_MODIFICATION | BG_NOTIFY_FILE_TRANSFERRED));
    {
        IUnknown *got = NULL;
        hr = IBackgroundCopyJob_GetNotifyInterface(job, &got);
        j_hr("hr_GetNotifyInterface", hr);
        j_bool("notifyInterfaceNull", got == NULL);
        if (got) IUnknown_Release(got);
    }
    j_hr("hr_AddFile", IBackgroundCopyJob_AddFile(job, u, l));
    log_state(&log, get_state(job));
    j_hr("hr_Resume", IBackgroundCopyJob_Resume(job));
    j_int("state", wait_settled(job, &log));
    j_states("states", &log);
    j_callback(cbp, 5000);
    if (fail) j_hr("hr_Cancel", IBackgroundCopyJob_Cancel(job));
    else j_hr("hr_Complete", IBackgroundCopyJob_Complete(job));
    j_end();
    IBackgroundCopyJob_SetNotifyInterface(job, NULL);
    IBackgroundCopyJob_Release(job);
}

static void sc_get_job(void) {
    IBackgroundCopyJob *again = NULL;
    GUID unknown;
    HRESULT hr;
    j_begin("get-job");
    hr = create(L"jbits-oracle alive", BG_JOB_TYPE_DOWNLOAD, &g_id_alive, &g_alive);
    j_hr("hr_CreateJob", hr);
    if (FAILED(hr)) { j_end(); return; }
    g_have_alive = 1;
    hr = IBackgroundCopyManager_GetJob(g_mgr, &g_id_alive, &again);
    j_hr("hr", hr);
    if (again) {
        GUID got;
        j_bool("idMatches", SUCCEEDED(IBackgroundCopyJob_GetId(again, &got)) && IsEqualGUID(&got, &g_id_alive));
        IBackgroundCopyJob_Release(again);
    }
    CoCreateGuid(&unknown);
    again = NULL;
    j_hr("hr_unknown", IBackgroundCopyManager_GetJob(g_mgr, &unknown, &again));
    if (again) IBackgroundCopyJob_Release(again);
    j_end();
}

/* Enumeration: the job kept alive is listed; the acknowledged and the cancelled ones are not. */
static void sc_enum_jobs(void) {
    IEnumBackgroundCopyJobs *e = NULL, *clone = NULL;
    HRESULT hr;
    ULONG n = 0, fetched, listed = 0;
    int has_alive = 0, has_completed = 0, has_cancelled = 0, states[64];
    IBackgroundCopyJob *job;
    j_begin("enum-jobs");
    hr = IBackgroundCopyManager_EnumJobs(g_mgr, 0, &e);
    j_hr("hr", hr);
    if (FAILED(hr)) { j_end(); return; }
    hr = IEnumBackgroundCopyJobs_GetCount(e, &n);
    j_hr("hr_GetCount", hr);
    j_int("count", SUCCEEDED(hr) ? (long long) n : -1);
    j_open("listedNames", "[");
    while (IEnumBackgroundCopyJobs_Next(e, 1, &job, &fetched) == S_OK && fetched == 1) {
        GUID id;
        WCHAR *name = NULL;
        listed++;
        if (SUCCEEDED(IBackgroundCopyJob_GetDisplayName(job, &name)) && name) {
            if (wcslen(name) > 40) wcscpy(name + 37, L"...");
            j_wstr(NULL, name);
            CoTaskMemFree(name);
        } else j_null(NULL);
        states[listed < 64 ? listed - 1 : 63] = get_state(job);
        if (SUCCEEDED(IBackgroundCopyJob_GetId(job, &id))) {
            if (g_have_alive && IsEqualGUID(&id, &g_id_alive)) has_alive = 1;
            if (g_have_completed && IsEqualGUID(&id, &g_id_completed)) has_completed = 1;
            if (g_have_cancelled && IsEqualGUID(&id, &g_id_cancelled)) has_cancelled = 1;
        }
        IBackgroundCopyJob_Release(job);
    }
    j_close("]");
    j_open("listedStates", "[");
    for (ULONG i = 0; i < listed && i < 64; i++) j_int(NULL, states[i]);
    j_close("]");
    j_int("listed", listed);
    if (g_have_alive) j_bool("containsAlive", has_alive); else j_null("containsAlive");
    if (g_have_completed) j_bool("containsCompleted", has_completed); else j_null("containsCompleted");
    if (g_have_cancelled) j_bool("containsCancelled", has_cancelled); else j_null("containsCancelled");
    j_hr("hr_Next_atEnd", IEnumBackgroundCopyJobs_Next(e, 1, &job, &fetched));
    j_hr("hr_Reset", IEnumBackgroundCopyJobs_Reset(e));
    j_hr("hr_Skip", IEnumBackgroundCopyJobs_Skip(e, 1));
    hr = IEnumBackgroundCopyJobs_Clone(e, &clone);
    j_hr("hr_Clone", hr);
    if (clone) IEnumBackgroundCopyJobs_Release(clone);
    IEnumBackgroundCopyJobs_Release(e);
    e = NULL;
    hr = IBackgroundCopyManager_EnumJobs(g_mgr, BG_JOB_ENUM_ALL_USERS, &e);
    j_hr("hr_allUsers", hr);
    if (e) IEnumBackgroundCopyJobs_Release(e);
    j_end();
    if (g_alive) discard(g_alive);
    g_alive = NULL;
}

/* ------------------------------------------------------------------------------------------------------------ */

static DWORD g_timeout_s = 240;

static DWORD WINAPI watchdog(void *arg) {
    (void) arg;
    Sleep(g_timeout_s * 1000);
    j_begin("watchdog");
    j_int("timeoutSeconds", g_timeout_s);
    j_end();
    ExitProcess(3);
    return 0;
}

static void widen(WCHAR *out, size_t cap, const char *in) {
    MultiByteToWideChar(CP_UTF8, 0, in, -1, out, (int) cap);
}

int main(int argc, char **argv) {
    HRESULT hr_init, hr_sec, hr_create;
    DWORD started = GetTickCount();
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--only") && i + 1 < argc) g_only = argv[++i];
        else if (!strcmp(argv[i], "--refused-url") && i + 1 < argc) widen(g_refused, 1024, argv[++i]);
        else if (!strcmp(argv[i], "--timeout-seconds") && i + 1 < argc) g_timeout_s = (DWORD) atoi(argv[++i]);
        else if (positional == 0) { widen(g_base, 1024, argv[i]); positional++; }
        else if (positional == 1) { widen(g_dir, MAX_PATH, argv[i]); positional++; }
        else positional = 99;
    }
    if (positional != 2) {
        fprintf(stderr, "usage: bits-oracle.exe BASE_URL WINDOWS_DIR [--refused-url URL] [--only a,b] "
                        "[--timeout-seconds N]\n");
        return 2;
    }
    {
        size_t n = wcslen(g_base);
        if (n && g_base[n - 1] != L'/') wcscat(g_base, L"/");
        n = wcslen(g_dir);
        if (n && g_dir[n - 1] == L'\\') g_dir[n - 1] = 0;
    }
    CreateThread(NULL, 0, watchdog, NULL, 0, NULL);

    hr_init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr_sec = CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_CONNECT, RPC_C_IMP_LEVEL_IMPERSONATE,
            NULL, EOAC_NONE, NULL);
    hr_create = CoCreateInstance(&CLSID_BackgroundCopyManager, NULL, CLSCTX_LOCAL_SERVER,
            &IID_IBackgroundCopyManager, (void **) &g_mgr);

    if (wanted("environment")) sc_environment(argc, argv);
    if (wanted("activation") || FAILED(hr_create)) sc_activation(hr_init, hr_sec, hr_create);
    if (FAILED(hr_create)) return 1;

    if (wanted("new-job-defaults")) sc_new_job_defaults();
    sc_qi();
    if (wanted("resume-empty")) sc_resume_empty();
    if (wanted("suspend")) sc_suspend();
    if (wanted("display-name-257")) sc_display_name_257();
    if (wanted("description-1025")) sc_description_1025();
    if (wanted("display-name-round-trip")) sc_display_name_round_trip();
    if (wanted("description-round-trip")) sc_description_round_trip();
    if (wanted("priority-round-trip")) sc_priority_round_trip();
    if (wanted("notify-flags-round-trip")) sc_notify_flags_round_trip();
    if (wanted("retry-settings-round-trip")) sc_retry_settings();
    if (wanted("proxy-settings-round-trip")) sc_proxy_settings();
    if (wanted("job2-methods")) sc_job2();
    if (wanted("job4-methods")) sc_job4();
    if (wanted("job5-properties")) sc_job5();
    if (wanted("http-options")) sc_http_options();
    if (wanted("add-file-validation")) sc_add_file_validation();
    if (wanted("upload-job")) sc_upload_job();
    if (wanted("error-description")) sc_error_description();
    if (wanted("get-job")) sc_get_job();
    if (wanted("download") || wanted("completed-job-is-final")) sc_download();
    if (wanted("download-unicode-name")) sc_download_unicode_name();
    if (wanted("http-404")) sc_http_404();
    if (wanted("complete-partial")) sc_complete_partial();
    if (wanted("cancel")) sc_cancel();
    if (wanted("callback")) run_callback("callback", L"jbits-oracle callback", 0);
    if (wanted("callback-error")) run_callback("callback-error", L"jbits-oracle callback-error", 1);
    if (wanted("connection-refused")) sc_connection_refused();
    if (wanted("enum-jobs")) sc_enum_jobs();
    if (g_alive) discard(g_alive);

    j_begin("end");
    j_int("lines", g_count);
    j_int("elapsedMs", (long long) (GetTickCount() - started));
    j_end();
    IBackgroundCopyManager_Release(g_mgr);
    CoUninitialize();
    return 0;
}
