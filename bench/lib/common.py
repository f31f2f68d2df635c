"""What every sub-bench of bench/run shares: statistics, the machine's description, a local nginx, a process
measured for wall time, CPU and peak RSS, and a small client of the agent's socket protocol (JSON lines)."""

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
MIB = 1 << 20


def log(msg):
    print(f"bench: {msg}", flush=True)


# ------------------------------------------------------------------ statistics

def summary(xs):
    """Median with its spread: min, max and the quartiles (exclusive method; n < 4 gives min/max as quartiles)."""
    xs = sorted(float(x) for x in xs)
    if not xs:
        return None
    if len(xs) >= 4:
        q1, _, q3 = statistics.quantiles(xs, n=4)
    else:
        q1, q3 = xs[0], xs[-1]
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1], "q1": q1, "q3": q3, "n": len(xs),
            "samples": xs}


def ratio(a, b):
    return None if a is None or b in (None, 0) else a / b


def rotations(names, rounds):
    """Round r runs the tools starting at r mod n, so each follows each other equally often over n rounds."""
    n = len(names)
    return [names[r % n:] + names[:r % n] for r in range(rounds)]


# ------------------------------------------------------------------ the machine

def _first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return None


def machine(work):
    mem = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            mem[k] = int(v.split()[0])
    model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    disk = {}
    try:
        src, fstype, opts = subprocess.run(["findmnt", "-no", "SOURCE,FSTYPE,OPTIONS", "--target", work],
                                           capture_output=True, text=True).stdout.split()[:3]
        dev = os.path.basename(src)
        disk = {"device": src, "fstype": fstype, "mount_options": opts}
        base = re.sub(r"p?\d+$", "", dev) if not os.path.exists(f"/sys/block/{dev}") else dev
        for key, path in (("rotational", "queue/rotational"), ("scheduler", "queue/scheduler"),
                          ("size_bytes", "size")):
            p = f"/sys/block/{base}/{path}"
            if os.path.exists(p):
                v = open(p).read().strip()
                disk[key] = int(v) * 512 if key == "size_bytes" else v
        disk["virtio"] = base.startswith("vd")
    except (OSError, ValueError):
        pass
    return {
        "cores": os.cpu_count(), "cpu_model": model, "ram_mib": mem.get("MemTotal", 0) // 1024,
        "kernel": platform.release(), "os": _first_line(["sh", "-c", ". /etc/os-release; echo $PRETTY_NAME"]),
        "java": _first_line(["java", "-version"]), "disk": disk,
        "loadavg_at_start": os.getloadavg(),
        "tools": {t: _first_line(c) for t, c in (("curl", ["curl", "--version"]), ("wget", ["wget", "--version"]),
                                                  ("aria2c", ["aria2c", "--version"]), ("nginx", ["nginx", "-v"]),
                                                  ("gnuplot", ["gnuplot", "--version"]))},
    }


def machine_text(m):
    d = m.get("disk", {})
    return (f"{m['cores']} cores ({m.get('cpu_model')}), {m['ram_mib'] / 1024:.0f} GiB RAM, disk {d.get('device')} "
            f"{d.get('fstype')} ({'virtio, ' if d.get('virtio') else ''}rotational={d.get('rotational')}), "
            f"kernel {m['kernel']}, {m.get('os')}, {m.get('java')}; load average at start "
            f"{', '.join(f'{x:.2f}' for x in m['loadavg_at_start'])}")


# ------------------------------------------------------------------ processes

def proc_cpu_seconds(pid):
    """utime + stime of a live process, from /proc/PID/stat (clock ticks)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_status(pid, key):
    """A number from /proc/PID/status (kB for the Vm* lines)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss(pid):
    """Resets VmHWM to the current RSS (clear_refs 5, Linux 4.0+), so the next peak is this run's own."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def drop_file(path):
    """Deletes a file and syncs the file system, so a run does not pay for the previous one's write-back."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)
    os.sync()


def run_measured(cmd, env=None, agent_pid=None, stdout=subprocess.DEVNULL, check=True, cwd=None):
    """Runs cmd and measures it: wall seconds, CPU seconds of the process and everything it waited for (wait4's
    rusage), its peak RSS, and, with agent_pid, the agent's CPU and peak RSS over the same interval."""
    agent_cpu0 = proc_cpu_seconds(agent_pid) if agent_pid else 0.0
    if agent_pid:
        reset_peak_rss(agent_pid)
    # The peak RSS comes from GNU time, not from wait4: a child forked from this Python process counts Python's
    # pages as its own until it execs, so wait4's ru_maxrss is never below this process's RSS.
    rss_file = None
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", rss_file, *cmd]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    rss = ru.ru_maxrss
    if rss_file:
        try:
            rss = int(open(rss_file).read().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {p.returncode}: {err.decode(errors='replace').strip()[:2000]}")
    r = {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_peak_kib": rss, "rc": p.returncode}
    if agent_pid:
        r["agent_cpu_s"] = proc_cpu_seconds(agent_pid) - agent_cpu0
        r["agent_rss_peak_kib"] = proc_status(agent_pid, "VmHWM")
        r["client_cpu_s"] = r["cpu_s"]
        r["client_rss_peak_kib"] = r["rss_peak_kib"]
        r["cpu_s"] += r["agent_cpu_s"]
        r["rss_peak_kib"] += r["agent_rss_peak_kib"] or 0
    return r


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ------------------------------------------------------------------ nginx

class Nginx:
    """nginx on a free loopback port from a private prefix, as testing/NginxServer configures it: / at full speed,
    /rate/NAME?rate=R under limit_rate R, an access log with each request's Range and body bytes."""

    def __init__(self, prefix, docroot):
        self.prefix, self.docroot = prefix, docroot
        for d in ("logs", "tmp"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        self.port = free_port()
        self.access_log = os.path.join(prefix, "logs", "access.log")
        conf = os.path.join(prefix, "nginx.conf")
        tmp = os.path.join(prefix, "tmp")
        with open(conf, "w") as f:
            f.write(f"""daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
lock_file {prefix}/nginx.lock;
events {{ worker_connections 1024; }}
http {{
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  keepalive_timeout 60s;
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
  log_format jbits '$msec\\t$request\\t$status\\t$http_range\\t$http_if_range\\t$body_bytes_sent\\t$request_time';
  access_log {self.access_log} jbits;
  server {{
    listen 127.0.0.1:{self.port};
    root {docroot};
    location / {{ }}
    location /rate/ {{ alias {docroot}/; limit_rate $arg_rate; }}
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-p", prefix, "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start: " + open(os.path.join(prefix, "logs", "error.log")).read())

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def access_entries(self):
        """Parsed access log lines: time, request line, status, Range, If-Range, body bytes sent."""
        out = []
        with open(self.access_log) as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 6:
                    out.append({"msec": float(parts[0]), "request": parts[1], "status": int(parts[2]),
                                "range": "" if parts[3] == "-" else parts[3], "body_bytes": int(parts[5])})
        return out

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def payload(path, size_bytes):
    """A random file of exactly size_bytes, kept between runs."""
    if os.path.exists(path) and os.path.getsize(path) == size_bytes:
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    log(f"writing a {size_bytes // MIB} MiB random payload {os.path.basename(path)}")
    with open(path + ".part", "wb") as f:
        left = size_bytes
        while left:
            n = min(left, 16 * MIB)
            f.write(os.urandom(n))
            left -= n
    os.replace(path + ".part", path)


def sha256(path):
    return subprocess.run(["sha256sum", path], capture_output=True, text=True, check=True).stdout.split()[0]


def page_cache(path):
    with open(path, "rb") as f:
        while f.read(8 * MIB):
            pass


# ------------------------------------------------------------------ jbits

class Jbits:
    """The installed launcher (bench/run installs it into target/bench/prefix) and one agent per JBITS_HOME."""

    def __init__(self, launcher, jar, home):
        self.launcher, self.jar, self.home = launcher, jar, home
        self.env = dict(os.environ, JBITS_HOME=home)
        os.makedirs(home, mode=0o700, exist_ok=True)
        # BITS' MaxJobsPerUser (60) lifted for the bench's agents (the concurrent bench runs 100 jobs at once; the
        # scale bench's own JVM lifts it with -Djbits.engine.maxJobsPerUser): jbits.conf in the state directory.
        with open(os.path.join(home, "jbits.conf"), "w") as f:
            f.write("# written by bench/: BITS' per-user job limit lifted for the bench\nengine.maxJobsPerUser = 1000000\n")

    def cmd(self, *args):
        return [self.launcher, *args]

    def run(self, *args, check=True):
        p = subprocess.run(self.cmd(*args), env=self.env, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"jbits {' '.join(args[:3])} exited {p.returncode}: {p.stderr.strip()[:2000]}")
        return p

    def agent_command(self):
        """The command AgentProcess.spawn runs (its JVM flags, and the agent's class-data-sharing archive when the
        install made one beside the jar), so a bench can start and time the agent itself. Keep in step with
        AgentProcess.spawn and AGENT_JVM_FLAGS."""
        cmd = ["setsid", "java", "-Xmx256m", "-XX:+UseSerialGC", "-XX:MaxHeapFreeRatio=20", "-XX:MinHeapFreeRatio=10"]
        jsa = os.path.join(os.path.dirname(os.path.abspath(self.jar)), "jbits-agent.jsa")
        if os.path.isfile(jsa):
            cmd += ["-XX:SharedArchiveFile=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        return cmd + ["-Djbits.log.level=INFO", "-cp", self.jar, "org.jbits.cli.Main", "agent", "run",
                      "--log-file", os.path.join(self.home, "agent.log")]

    def spawn_agent(self, timeout=120):
        """Starts the agent and returns (pid, seconds until it answered a status request)."""
        t0 = time.perf_counter()
        out = open(os.path.join(self.home, "agent.out"), "ab")
        p = subprocess.Popen(self.agent_command(), env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        # Reaped as soon as it exits: a zombie child still counts as alive to `jbits agent stop`, which would then
        # wait its full minute for the agent to go.
        threading.Thread(target=p.wait, daemon=True).start()
        while time.perf_counter() - t0 < timeout:
            if p.poll() is not None:
                raise RuntimeError(f"the agent exited at start ({p.returncode}); see {self.home}/agent.out")
            try:
                c = AgentSocket(self.home, timeout=5)
                try:
                    if c.call({"op": "status"}).get("ok"):
                        return p.pid, time.perf_counter() - t0
                finally:
                    c.close()
            except (OSError, ValueError):
                pass
            time.sleep(0.005)
        raise RuntimeError("the agent did not answer within %d s" % timeout)

    def pid(self):
        try:
            return int(open(os.path.join(self.home, "agent.pid")).read().strip())
        except (OSError, ValueError):
            return None

    def stop_agent(self):
        pid = self.pid()
        self.run("agent", "stop", check=False)
        wait_gone(pid)

    def kill_agent(self):
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            wait_gone(pid)


def wait_gone(pid, timeout=60):
    if not pid:
        return
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        # A zombie (our own child) counts as gone.
        try:
            if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
                try:
                    os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    pass
                return
        except OSError:
            return
        time.sleep(0.02)


class AgentSocket:
    """One connection to the agent's Unix socket: a JSON request per line, a JSON reply per line."""

    def __init__(self, home, timeout=60):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        try:
            self.s.connect(os.path.join(home, "agent.sock"))
        except OSError:
            self.s.close()
            raise
        self.buf = b""

    def call(self, req):
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise OSError("the agent closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def close(self):
        self.s.close()


def tool_available(name):
    return shutil.which(name) is not None


def python_exe():
    return sys.executable
