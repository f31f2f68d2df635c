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
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static const char *launcher;
static char **cmd_args;
static int cmd_count;
static int sock = -1;
static volatile sig_atomic_t signalled;

/* Runs the command through the JVM launcher: what `jbits` does without this client. */
static void fall_back(void) {
    if (sock >= 0) {
        close(sock);
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

static int read_all(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
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
            || getenv("JBITS_JAVA_OPTS") != NULL || cmd_count == 0) {
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
    sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *) &addr, sizeof addr) != 0) {
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
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

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
    const char *columns = getenv("COLUMNS");
    if (columns != NULL && strlen(columns) < 32) {
        snprintf(text, sizeof text, "COLUMNS=%s", columns);
        bad = bad || frame_str('V', text);
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

    int got = 0;
    static char buf[65536];
    for (;;) {
        unsigned char head[5];
        if (read_all(sock, head, 5) != 0) {
            if (!got) {
                fall_back(); /* the host dropped the request before it began the command: nothing ran */
            }
            fprintf(stderr, "jbits: the agent closed the connection before the command ended [E_UNEXPECTED 0x8000FFFF]\n");
            return 5;
        }
        uint32_t len = (uint32_t) head[1] << 24 | (uint32_t) head[2] << 16 | (uint32_t) head[3] << 8 | head[4];
        char tag = (char) head[0];
        if (!got) {
            if (tag == 'F') {
                fall_back();
            }
            if (tag != 'B') {
                fprintf(stderr, "jbits: the agent's answer is not understood [E_UNEXPECTED 0x8000FFFF]\n");
                return 5;
            }
            got = 1; /* the command has begun: from here on it is never run twice */
            continue;
        }
        if (tag == 'F' && len == 0) {
            fall_back(); /* it needs a process of its own (standard input, a password prompt) and did nothing yet */
        }
        if (tag == 'X') {
            unsigned char c[4];
            if (len != 4 || read_all(sock, c, 4) != 0) {
                return 5;
            }
            int32_t code = (int32_t) ((uint32_t) c[0] << 24 | (uint32_t) c[1] << 16 | (uint32_t) c[2] << 8 | c[3]);
            return code & 0xff;
        }
        int fd = tag == 'O' ? 1 : tag == 'E' ? 2 : -1;
        while (len > 0) {
            size_t n = len < sizeof buf ? len : sizeof buf;
            if (read_all(sock, buf, n) != 0) {
                fprintf(stderr, "jbits: the agent closed the connection before the command ended [E_UNEXPECTED 0x8000FFFF]\n");
                return 5;
            }
            if (fd >= 0) {
                write_all(fd, buf, n); /* a closed pipe drops the output, as a JVM's System.out does */
            }
            len -= (uint32_t) n;
        }
    }
}
