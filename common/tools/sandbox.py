"""sandbox.py - build and run student code so that nothing it does escapes: the grader's wall.

One call, run(), runs one command (a lab's build, its test listing, or one test) in a sandbox
chosen once per grade, the strongest the machine allows:

  bwrap  Debian's bubblewrap (user, mount, pid, network, IPC and UTS namespaces).  The command
         sees only the system (/usr, /etc, read-only), the directories it is given (the lab's
         box, read-only unless said otherwise), a private /tmp and /dev/shm, its own /proc and
         a loopback-only network.  Nothing of the checkout, the reference, the grader or
         other students exists in there.  It leads a new session, cannot gain privileges
         (no capabilities, no further user namespaces) and everything it starts lives in its
         pid namespace: when the command ends, the kernel kills whatever is left of it,
         whatever it did (setsid, double fork, daemon()).
  user   where user namespaces are refused (some containers): the same command as a dedicated
         unprivileged user (root only), which can write nothing of the grader's; processes
         are found afterwards by that user id and the cgroup, and killed.
  plain  neither (not root, no user namespaces): the caller's own user, process group and
         RLIMIT_NPROC.  Weakest; `grade.py --sandbox-info` says which one is in use.

In every mode, as root, the run also joins a fresh pids cgroup (a fork bomb hits a wall, and
setsid cannot leave it: the sandboxed user cannot write the cgroup files), and resource limits
apply to every process: no core dumps, address space, file size, open descriptors.  When the
command ends or runs past its time, everything left of it is killed.
"""
import os
import pwd
import shutil
import signal
import subprocess
import threading
import time

AS_LIMIT = (int(os.environ["ASL_GRADE_AS_MIB"]) << 20 if os.environ.get("ASL_GRADE_AS_MIB")
            else int(os.environ.get("ASL_GRADE_AS_GIB", "4")) << 30)   # bytes per process
PIDS_MAX = int(os.environ.get("ASL_GRADE_PIDS", "1024"))
NOFILE = int(os.environ.get("ASL_GRADE_NOFILE", "8192"))   # lab 07 raises its limit to ~4096
FSIZE = 1 << 30
USER = os.environ.get("ASL_GRADE_USER", "asl-grader")
TMP_SIZE = 512 << 20
SYSTEM_DIRS = ("/usr", "/etc")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_mode = None
_mode_lock = threading.Lock()


def grader_user():
    """(uid, gid) of the dedicated grading user, created if missing (root only), or None."""
    if os.getuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", USER],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            pw = pwd.getpwnam(USER)
        except KeyError:
            return None
    return pw.pw_uid, pw.pw_gid


def drop_cmd():
    """The prefix that runs a command as the grading user (root), or []."""
    ids = grader_user()
    if not ids:
        return []
    return ["setpriv", f"--reuid={ids[0]}", f"--regid={ids[1]}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def mode():
    """'bwrap', 'user' or 'plain' (see the module comment); ASL_SANDBOX forces one."""
    global _mode
    with _mode_lock:
        if _mode:
            return _mode
        forced = os.environ.get("ASL_SANDBOX")
        if forced:
            _mode = forced
            return _mode
        _mode = "plain"
        if shutil.which("bwrap"):
            probe = drop_cmd() + bwrap_args({}, {}, "/", {}) + ["true"]
            try:
                ok = subprocess.run(probe, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=30,
                                    cwd="/").returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                _mode = "bwrap"
        if _mode == "plain" and grader_user():
            _mode = "user"
        return _mode


def describe():
    m = mode()
    who = f"user {USER}" if grader_user() else f"uid {os.getuid()}"
    cg = "a pids cgroup" if os.getuid() == 0 and cgroup_base() else "RLIMIT_NPROC"
    what = {"bwrap": "bubblewrap namespaces", "user": "a dedicated user, no namespaces",
            "plain": "process group and rlimits only (no namespaces, not root)"}[m]
    return f"sandbox: {m} ({what}; as {who}; processes capped by {cg})"


def bwrap_args(ro, rw, cwd, env):
    """bubblewrap's arguments: system read-only, ro/rw {inside: outside} binds, clean env."""
    a = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
         "--new-session", "--cap-drop", "ALL", "--clearenv"]
    for d in SYSTEM_DIRS:
        a += ["--ro-bind", d, d]
    for d in SYSTEM_LINKS:
        if os.path.islink(d):
            a += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            a += ["--ro-bind", d, d]
    a += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_SIZE), "--tmpfs", "/tmp",
          "--size", str(TMP_SIZE), "--tmpfs", "/dev/shm"]
    for inside, outside in sorted(ro.items()):
        a += ["--ro-bind", outside, inside]
    for inside, outside in sorted(rw.items()):
        a += ["--bind", outside, inside]
    for k, v in sorted(env.items()):
        a += ["--setenv", k, v]
    return a + ["--chdir", cwd, "--"]


def limits_cmd(nproc=None):
    lim = ["prlimit", "--core=0", f"--as={AS_LIMIT}", f"--fsize={FSIZE}"]
    hard = NOFILE
    try:
        import resource
        h = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if h != resource.RLIM_INFINITY and os.getuid() != 0:
            hard = min(hard, h)
    except (ImportError, ValueError):
        pass
    lim.append(f"--nofile={min(1024, hard)}:{hard}")
    if nproc:
        lim.append(f"--nproc={nproc}")
    return lim + ["--"]


def base_env():
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "dumb"}


def count_uid_processes(uid):
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def cgroup_base():
    if os.getuid() != 0:
        return None
    if os.path.isdir("/sys/fs/cgroup/pids"):                       # cgroup v1
        return "/sys/fs/cgroup/pids"
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):        # cgroup v2
        return "/sys/fs/cgroup"
    return None


def make_cgroup():
    """A pids cgroup limiting the run's process count (root only), or None."""
    base = cgroup_base()
    if not base:
        return None
    path = os.path.join(base, f"asynclabs-grade-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.mkdir(path)
    except OSError:
        return None
    try:
        with open(os.path.join(path, "pids.max"), "w") as f:
            f.write(str(PIDS_MAX))
        return path
    except OSError:
        os.rmdir(path)
    return None


def children_of(pid):
    out, want = [], str(pid)
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == want:
                        out.append(int(p))
            except (OSError, IndexError):
                pass
    return out


def kill_all(proc, cgroup):
    """Kill the command's process group and every process still in its cgroup.

    The command's own children go first, so that it reaps them itself (bubblewrap's outer
    process waits for its pid-1 child): killed the other way round they would linger as
    zombies of whatever init the machine has."""
    if proc.poll() is None:
        for c in children_of(proc.pid):
            try:
                os.kill(c, signal.SIGKILL)
            except OSError:
                pass
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if not cgroup:
        return
    for _ in range(100):
        try:
            with open(os.path.join(cgroup, "cgroup.procs")) as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            return
        if not pids:
            return
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)


def command(cmd, ro=None, rw=None, cwd="/", env=None, nproc=None):
    """The full command line that run() executes (printed for a rerun), minus the cgroup."""
    env = dict(base_env(), **(env or {}))
    m = mode()
    if m == "bwrap":
        inner = bwrap_args(ro or {}, rw or {}, cwd, env) + limits_cmd(nproc) + cmd
        return drop_cmd() + inner, None, "/"
    # No namespaces: the paths inside are the paths outside, and a reaper (this file, run
    # before the privilege drop, so the command cannot kill it) adopts and kills whatever the
    # command leaves behind, setsid or not.
    envcmd = ["env", "-i"] + [f"{k}={v}" for k, v in sorted(env.items())]
    reap = [shutil.which("python3") or "python3", os.path.abspath(__file__), "--reap", "--"]
    return reap + drop_cmd() + envcmd + limits_cmd(nproc) + cmd, env, cwd


def run(cmd, log_path, timeout, ro=None, rw=None, cwd="/", env=None, deadline_fn=None,
        pass_fds=()):
    """Run cmd sandboxed; returns (exit status or None, timed out?, seconds).

    ro, rw: {path inside: path outside} directories to bind (bwrap mode; elsewhere the
    inside path must equal the outside one).  timeout bounds the whole run; deadline_fn, if
    given, is asked every 0.1 s for a tighter limit in seconds since the start (or None)."""
    start = time.monotonic()
    cgroup = make_cgroup()
    nproc = None
    if not cgroup:   # no pids cgroup (not root): RLIMIT_NPROC, counted per user
        uid = grader_user()[0] if grader_user() else os.getuid()
        nproc = PIDS_MAX + count_uid_processes(uid)
    full, env_used, run_cwd = command(cmd, ro, rw, cwd, env, nproc)
    # join the cgroup before anything else runs: a shell that writes its own pid, then execs
    join = f'echo $$ > "{cgroup}/cgroup.procs" && ' if cgroup else ""
    argv = ["sh", "-c", join + 'exec "$@"', "sh"] + full
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(argv, cwd=run_cwd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, process_group=0, pass_fds=pass_fds,
                                env=env_used if env_used is not None else base_env())
        rc, timed_out, limit = None, False, timeout
        while rc is None:
            try:
                rc = proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                if deadline_fn:
                    tighter = deadline_fn()
                    if tighter is not None:
                        limit = min(limit, tighter)
                if time.monotonic() - start > limit:
                    timed_out = True
                    break
        if mode() != "bwrap" and proc.poll() is None:
            proc.terminate()          # the reaper kills the whole tree, then exits
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        kill_all(proc, cgroup)   # leftovers: forked children, stuck workers
        proc.wait()
    if mode() == "user" and not cgroup:
        kill_user()
    if cgroup:
        for _ in range(200):
            try:
                os.rmdir(cgroup)
                break
            except OSError:
                kill_all(proc, cgroup)
                time.sleep(0.05)
    return rc, timed_out, time.monotonic() - start


def kill_user():
    """Kill every process of the grading user (mode 'user' without a cgroup)."""
    ids = grader_user()
    if not ids:
        return
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == ids[0]:
                    os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass


def give(path, writable):
    """Let the sandboxed user write path (a directory tree), or take that back."""
    ids = grader_user()
    if not ids:
        return
    uid, gid = (ids if writable else (0, 0))
    for root, dirs, files in os.walk(path):
        for n in [root] + [os.path.join(root, x) for x in dirs + files]:
            try:
                os.lchown(n, uid, gid)
            except OSError:
                pass


def reap_main(cmd):
    """Run cmd as a child subreaper: every orphan of its process tree is re-parented to this
    process, which kills them all once cmd has ended (or when killed itself: SIGTERM)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)      # PR_SET_CHILD_SUBREAPER
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG: die with the grader
    class Stop(Exception):
        pass

    def stop(*_):
        raise Stop()

    signal.signal(signal.SIGTERM, stop)
    proc = subprocess.Popen(cmd, close_fds=False)   # close_fds=False: keeps the report pipe
    try:
        rc = proc.wait()
    except Stop:         # the grader gave up on the command: everything goes
        proc.kill()
        rc = -signal.SIGKILL
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def children():
        me, out = str(os.getpid()), []
        for pid in os.listdir("/proc"):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == me:
                        out.append(int(pid))
            except (OSError, IndexError):
                pass
        return out

    while True:
        left = children()
        if not left:
            break
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        time.sleep(0.005)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    import sys
    if sys.argv[1:3] == ["--reap", "--"]:
        sys.exit(reap_main(sys.argv[3:]))
