"""sandbox.py - run one command so that nothing it does escapes: the grader's containment.

The command runs in its own process group, under resource limits (no core dumps, a cap on
address space and file size) and, where the machine allows (root, cgroups), in a fresh pids
cgroup so a fork bomb hits a wall; otherwise, when not root, under RLIMIT_NPROC.  When it ends
or times out, everything left of it - the group and every process still in the cgroup - is
killed.  Used by grade.py once per test.
"""
import os
import signal
import subprocess
import time

AS_LIMIT = int(os.environ.get("ASL_GRADE_AS_GIB", "4")) << 30       # bytes per process
PIDS_MAX = int(os.environ.get("ASL_GRADE_PIDS", "1024"))


def contained_cmd(cmd, cgroup_procs):
    """Wrap cmd so it joins the pids cgroup (if any) and runs under resource limits.

    Done with a shell and prlimit rather than preexec_fn, because tests are run from several
    Python threads at once and preexec_fn is not thread-safe."""
    lim = ["prlimit", "--core=0", f"--as={AS_LIMIT}", f"--fsize={1 << 30}"]
    if not cgroup_procs and os.getuid() != 0:
        lim.append(f"--nproc={PIDS_MAX + count_my_processes()}")
    join = f'echo $$ > "{cgroup_procs}" && ' if cgroup_procs else ""
    return ["sh", "-c", join + 'exec "$@"', "sh"] + lim + ["--"] + cmd


def count_my_processes():
    uid, n = os.getuid(), 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    n += 1
            except OSError:
                pass
    return n


def make_cgroup():
    """A pids cgroup limiting the runner's process count (root only), or None."""
    if os.getuid() != 0:
        return None
    candidates = []
    if os.path.isdir("/sys/fs/cgroup/pids"):                       # cgroup v1
        candidates.append("/sys/fs/cgroup/pids")
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):        # cgroup v2
        candidates.append("/sys/fs/cgroup")
    for base in candidates:
        path = os.path.join(base, f"asynclabs-grade-{os.getpid()}-{time.monotonic_ns()}")
        try:
            os.mkdir(path)
        except OSError:
            continue
        try:
            with open(os.path.join(path, "pids.max"), "w") as f:
                f.write(str(PIDS_MAX))
            return path
        except OSError:
            os.rmdir(path)
    return None


def kill_group(proc, cgroup):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if cgroup:  # processes that left the group (setsid) are still in the cgroup
        for _ in range(50):
            try:
                with open(os.path.join(cgroup, "cgroup.procs")) as f:
                    pids = [int(p) for p in f.read().split()]
            except OSError:
                break
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)


def run_contained(cmd, cwd, env, log_path, timeout, deadline_fn=None):
    """Run cmd contained; returns (exit status or None, timed out?).

    timeout bounds the whole run.  deadline_fn, if given, is asked every 0.2 s for a tighter
    limit in seconds since the start (or None while it does not know one yet)."""
    start = time.monotonic()
    cgroup = make_cgroup()
    procs = os.path.join(cgroup, "cgroup.procs") if cgroup else None
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(contained_cmd(cmd, procs), cwd=cwd, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                process_group=0)
        rc, timed_out, limit = None, False, timeout
        while rc is None:
            try:
                rc = proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if deadline_fn:
                    tighter = deadline_fn()
                    if tighter is not None:
                        limit = min(limit, tighter)
                if time.monotonic() - start > limit:
                    timed_out = True
                    break
        kill_group(proc, cgroup)   # leftovers: forked children, stuck workers
        proc.wait()
    if cgroup:
        for _ in range(100):
            try:
                os.rmdir(cgroup)
                break
            except OSError:
                kill_group(proc, cgroup)
                time.sleep(0.05)
    return rc, timed_out
