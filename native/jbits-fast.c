/*
 * jbits-fast: the launcher's fast client. It hands a job command (start, get, add-file, set, suspend, resume,
 * complete, remove) to the running agent of this user's state directory over its cli.sock (CommandHost), with
 * this process's working directory, umask, terminal, output charset and arguments, copies the command's output to
 * standard output and error, forwards Ctrl-C (SIGINT, SIGTERM, SIGHUP) and exits with the command's status. The
 * command then runs in the agent's warm JVM instead of a JVM started for it (0.2-0.3 s less per command).
 *
 * Whenever it cannot (no agent, another build's agent, a command the host does not run, standard input or a
 * password prompt needed, any doubt before the command has started), it runs the same command through the JVM
 * launcher instead: exec LAUNCHER ARGS... with JBITS_NO_FAST=1, which is exactly what `jbits` did before.
 *
 * usage (from the launcher only): jbits-fast LAUNCHER JAR [ARGS...]
 * Built by ./install with the machine's C compiler; without one the launcher starts a JVM for every command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static const char *launcher;
static char **cmd_args;
static int cmd_count;
static int sock = -1;
static volatile sig_atomic_t signalled;
/* Set once the client has told the host to go: from then on the command never runs here too. */
static volatile sig_atomic_t committed;

/* The three signals a JVM's shutdown hooks answer, and what this process was given for them. */
static const int hooked[3] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction given[3];
static struct sigaction given_pipe;
static sigset_t given_mask;
static int handlers_set;

/* Runs the command through the JVM launcher: what `jbits` does without this client. */
static void fall_back(void) {
    sigset_t all;
    sigemptyset(&all);
    for (int i = 0; i < 3; i++) {
        sigaddset(&all, hooked[i]);
    }
    sigset_t before;
    sigprocmask(SIG_BLOCK, &all, &before); /* from here no handler runs: a Ctrl-C is either seen below or pending */
    if (signalled) {
        _exit(128 + signalled); /* Ctrl-C before the command began: it does not begin, as in a JVM killed then */
    }
    if (sock >= 0) {
        close(sock);
        sock = -1;
    }
    /* The JVM gets the dispositions and the mask this process was given (an ignored SIGHUP under nohup stays
     * ignored, so the JVM leaves it alone, as HotSpot does); a signal still pending is then delivered by them. */
    if (handlers_set) {
        for (int i = 0; i < 3; i++) {
            sigaction(hooked[i], &given[i], NULL);
        }
        sigaction(SIGPIPE, &given_pipe, NULL);
        sigprocmask(SIG_SETMASK, &given_mask, NULL);
    } else {
        sigprocmask(SIG_SETMASK, &before, NULL); /* nothing was changed yet */
    }
    char **argv = calloc((size_t) cmd_count + 2, sizeof(char *));
    if (argv == NULL) {
        fprintf(stderr, "jbits: out of memory\n");
        _exit(5);
    }
    argv[0] = (char *) launcher;
    for (int i = 0; i < cmd_count; i++) {
        argv[i + 1] = cmd_args[i];
    }
    setenv("JBITS_NO_FAST", "1", 1);
    execv(launcher, argv);
    fprintf(stderr, "jbits: cannot run %s: %s\n", launcher, strerror(errno));
    _exit(5);
}

static int nonblank(const char *s) {
    if (s == NULL) {
        return 0;
    }
    for (; *s; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v') {
            return 1;
        }
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

/* Reads len bytes; -1 at the end of the stream or an error, -2 when nothing came for timeout_ms. */
static int read_all(int fd, void *buf, size_t len, int timeout_ms) {
    char *p = buf;
    while (len > 0) {
        if (signalled && !committed) {
            _exit(128 + signalled);
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0 && errno == EINTR) {
            if (signalled && !committed) {
                _exit(128 + signalled);
            }
            continue;
        }
        if (r == 0) {
            return -2;
        }
        ssize_t n = read(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (n == 0) {
            return -1;
        }
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

static int frame(char tag, const char *data, size_t len) {
    unsigned char head[5];
    head[0] = (unsigned char) tag;
    head[1] = (unsigned char) (len >> 24);
    head[2] = (unsigned char) (len >> 16);
    head[3] = (unsigned char) (len >> 8);
    head[4] = (unsigned char) len;
    return write_all(sock, head, 5) || write_all(sock, data, len);
}

static int frame_str(char tag, const char *s) {
    return frame(tag, s, strlen(s));
}

/* Ctrl-C and its kin: the host runs what a JVM's shutdown hooks would (a synchronous start removes its job). */
static void on_signal(int sig) {
    if (signalled) {
        _exit(128 + sig);
    }
    signalled = sig;
    if (!committed) {
        return; /* the command has not begun: the main loop exits with 128 + sig and sends no go */
    }
    unsigned char f[9] = {'S', 0, 0, 0, 4, 0, 0, 0, (unsigned char) sig};
    ssize_t ignored = write(sock, f, sizeof f);
    (void) ignored;
}

static int socket_path(struct sockaddr_un *addr) {
    const char *home = getenv("JBITS_HOME");
    const char *xdg = getenv("XDG_STATE_HOME");
    char path[sizeof addr->sun_path + 1];
    int n;
    if (nonblank(home)) {
        n = snprintf(path, sizeof path, "%s/cli.sock", home);
    } else if (nonblank(xdg)) {
        n = snprintf(path, sizeof path, "%s/jbits/cli.sock", xdg);
    } else {
        struct passwd *pw = getpwuid(getuid());
        const char *dir = pw != NULL && pw->pw_dir != NULL ? pw->pw_dir : getenv("HOME");
        if (dir == NULL) {
            return -1;
        }
        n = snprintf(path, sizeof path, "%s/.local/state/jbits/cli.sock", dir);
    }
    if (n < 0 || (size_t) n >= sizeof addr->sun_path) {
        return -1;
    }
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    memcpy(addr->sun_path, path, (size_t) n + 1);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: jbits-fast LAUNCHER JAR [ARGS...] (run by the jbits launcher)\n");
        return 2;
    }
    launcher = argv[1];
    const char *jar = argv[2];
    cmd_args = argv + 3;
    cmd_count = argc - 3;
    if (nonblank(getenv("JBITS_NO_FAST")) || nonblank(getenv("JBITS_HOST")) || nonblank(getenv("JBITS_BACKEND"))
            || getenv("JBITS_JAVA") != NULL
            || getenv("JBITS_JAVA_OPTS") != NULL || getenv("JAVA_TOOL_OPTIONS") != NULL
            || getenv("JDK_JAVA_OPTIONS") != NULL || getenv("_JAVA_OPTIONS") != NULL || cmd_count == 0) {
        /* Options for the JVM (system properties among them) that a command in the agent would not get. */
        fall_back();
    }
    struct stat js;
    char build[96];
    if (stat(jar, &js) != 0) {
        fall_back();
    }
    snprintf(build, sizeof build, "%lld:%lld.%09ld", (long long) js.st_size, (long long) js.st_mtim.tv_sec,
             (long) js.st_mtim.tv_nsec);
    struct sockaddr_un addr;
    if (socket_path(&addr) != 0) {
        fall_back();
    }
    /* Not blocking: an agent whose backlog is full (stopped, or too busy) is not waited for. */
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *) &addr, sizeof addr) != 0) {
        fall_back();
    }
    int flags = fcntl(sock, F_GETFL);
    if (flags < 0 || fcntl(sock, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        fall_back();
    }
    /* A host that stops reading does not hold this process (with its signals blocked) in a write. */
    struct timeval send_limit = {5, 0};
    if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof send_limit) != 0) {
        fall_back();
    }
    /* The host must be this user's own agent, by the kernel's word, whoever owns the directory. */
    struct ucred peer;
    socklen_t peer_len = sizeof peer;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &peer, &peer_len) != 0 || peer.uid != getuid()) {
        fall_back();
    }
    char cwd[8192];
    if (getcwd(cwd, sizeof cwd) == NULL) {
        fall_back();
    }
    mode_t mask = umask(0);
    umask(mask);
    char text[64];
    setlocale(LC_ALL, "");
    const char *codeset = nl_langinfo(CODESET);

    /* The request whole before any signal's frame can come between its frames. */
    sigset_t block;
    sigemptyset(&block);
    for (int i = 0; i < 3; i++) {
        sigaddset(&block, hooked[i]);
    }
    sigprocmask(SIG_BLOCK, &block, &given_mask);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) {
        sigaction(hooked[i], NULL, &given[i]);
        /* An ignored signal stays ignored (nohup, a shell's background job), as HotSpot leaves it. */
        if (given[i].sa_handler != SIG_IGN) {
            sigaction(hooked[i], &sa, NULL);
        }
    }
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &given_pipe);
    handlers_set = 1;

    int bad = frame_str('J', build) || frame_str('K', codeset != NULL && *codeset ? codeset : "ANSI_X3.4-1968")
            || frame_str('C', cwd);
    snprintf(text, sizeof text, "%03o", (unsigned) mask & 0777);
    bad = bad || frame_str('U', text);
    snprintf(text, sizeof text, "%c%c%c", isatty(0) ? '1' : '0', isatty(1) ? '1' : '0', isatty(2) ? '1' : '0');
    bad = bad || frame_str('T', text);
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0) {
        snprintf(text, sizeof text, "%u %u", (unsigned) ws.ws_col, (unsigned) ws.ws_row);
        bad = bad || frame_str('W', text);
    }
    static const char *forwarded[] = {"COLUMNS", "TZ", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"};
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0] && !bad; i++) {
        const char *v = getenv(forwarded[i]);
        if (v != NULL) {
            char var[4200];
            int n = snprintf(var, sizeof var, "%s=%s", forwarded[i], v);
            if (n < 0 || (size_t) n >= sizeof var) {
                fall_back();
            }
            bad = frame_str('V', var);
        }
    }
    for (int i = 0; i < cmd_count && !bad; i++) {
        bad = frame_str('A', cmd_args[i]);
    }
    bad = bad || frame('R', "", 0);
    if (bad) {
        fall_back(); /* nothing ran: the host runs a command only once its request is whole */
    }
    /* Unblocked, not restored: a parent may have left them blocked (a JVM's child inherits its mask), and a JVM
     * started for the command would take Ctrl-C all the same. */
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    /* The host's answer to the request: F (run it yourself) or B (it can run it here), within 5 s. */
    unsigned char head[5];
    int r = read_all(sock, head, 5, 5000);
    if (r != 0 || head[1] | head[2] | head[3] | head[4] || (head[0] != 'B' && head[0] != 'F')) {
        fall_back(); /* F, no answer, or an answer not understood: nothing ran there */
    }
    if (head[0] == 'F') {
        fall_back();
    }
    sigprocmask(SIG_BLOCK, &block, NULL);
    if (signalled) {
        _exit(128 + signalled); /* Ctrl-C before the go: nothing runs */
    }
    if (frame('G', "", 0) != 0) {
        fall_back(); /* the go was not sent: the host runs nothing without it */
    }
    committed = 1;
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    static char buf[65536];
    for (;;) {
        r = read_all(sock, head, 5, 60000);
        if (r != 0) {
            if (r == -2) {
                fprintf(stderr, "jbits: the agent has not answered for 60 s; the command may still be running"
                        " there ('jbits get' shows its job) [RPC_S_SERVER_UNAVAILABLE 0x800706BA]\n");
            } else {
                fprintf(stderr, "jbits: the agent closed the connection before the command ended"
                        " [RPC_S_SERVER_UNAVAILABLE 0x800706BA]\n");
            }
            return 5;
        }
        uint32_t len = (uint32_t) head[1] << 24 | (uint32_t) head[2] << 16 | (uint32_t) head[3] << 8 | head[4];
        char tag = (char) head[0];
        if (tag == 'F' && len == 0) {
            /* It found it needs a process of its own (standard input, a password prompt) before it did anything. */
            committed = 0;
            fall_back();
        }
        if (tag == 'X') {
            unsigned char c[4];
            if (len != 4 || read_all(sock, c, 4, 60000) != 0) {
                return 5;
            }
            int32_t code = (int32_t) ((uint32_t) c[0] << 24 | (uint32_t) c[1] << 16 | (uint32_t) c[2] << 8 | c[3]);
            return code & 0xff;
        }
        int fd = tag == 'O' ? 1 : tag == 'E' ? 2 : -1; /* H, a heartbeat, is only read */
        while (len > 0) {
            size_t n = len < sizeof buf ? len : sizeof buf;
            if (read_all(sock, buf, n, 60000) != 0) {
                fprintf(stderr, "jbits: the agent closed the connection before the command ended"
                        " [RPC_S_SERVER_UNAVAILABLE 0x800706BA]\n");
                return 5;
            }
            if (fd >= 0) {
                write_all(fd, buf, n); /* a closed pipe drops the output, as a JVM's System.out does */
            }
            len -= (uint32_t) n;
        }
    }
}
