#!/usr/bin/env python3
"""CPU, system calls and context switches per message of a server, pipekit's beside the C peer's,
on the thread that spends them (issue 28: what a message costs, not how fast it went on a shared
machine). Unix only; needs perf, gcc, and the jars built
(./mvnw -q -DskipTests package -pl pipe-server,pipe-client -am).

  bench/server_cpu.py echo [options]   pipe-server --raw beside bench/c/uds_echo_server.c, driven by
                                       bench/c/uds_bench_client.c (CLIENTS threads, SIZE bytes)
  bench/server_cpu.py push [options]   bench/java/PushServer.java beside bench/c/uds_push.c, driven by
                                       the C push client (CLIENTS processes, SIZE bytes)

Each round starts each server afresh, warms it up untimed (echo: WARM round trips per client, then
a quarter as many on new connections, since a JIT's first reconnect deoptimizes the hot path; push:
WARM runs of MESSAGES), then counts MESSAGES per client while it measures:
  - the whole server's CPU (perf stat task-clock, context switches, page faults; forked children
    and threads started meanwhile included, such as PushServer's pusher), over the timed part only;
  - each JVM thread's CPU from /proc/PID/task/TID/schedstat (what the pusher, which ends with its
    client, spent is the whole minus the threads still there);
  - the C client processes' CPU (getrusage), the same client for both servers.
Then medians [min-max] over the rounds.

Options: --rounds R (3) --clients N (16 echo, 1 push) --size BYTES (65536) --messages N per client
(2000 echo, 20000 push) --warm N (2000 echo, 2 push) --variants c,pipekit[,NAME=DIR with jars]
--push-from-loop (PushServer's loop mode: no pusher thread) --jvm-options="..." (the JVMs' options;
with "=", as they start with a dash).
--syscalls: system calls per message, per thread and kind (perf record of raw_syscalls; slows the
run, so CPU is not reported then). --profile DIR: an async-profiler CPU profile of the timed part
(collapsed stacks; --async-profiler PATH to libasyncProfiler.so, from Maven Central's
tools.profiler:async-profiler jar), perf's call graphs for the C server, and the share of each
thread's samples per cost (kernel read/write and their copies, copies between the heap and direct
buffers, new arrays' zeroing, park/unpark).
"""
import argparse, collections, json, os, re, resource, shutil, signal, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSCALLS = {0: "read", 1: "write", 20: "writev", 202: "futex", 232: "epoll_wait", 233: "epoll_ctl", 281: "epoll_pwait", 7: "poll"}


def build(work):
    """The C peers and PushServer, compiled into work/."""
    flags = "@" + os.path.join(ROOT, "pipe-it/src/test/c/cflags.rsp")
    for name, extra in (("uds_echo_server", []), ("uds_bench_client", ["-pthread"]), ("uds_push", [])):
        subprocess.run(["gcc", flags] + extra + ["-o", os.path.join(work, name), os.path.join(ROOT, "bench/c", name + ".c")], check=True)


def process_time(pid):
    """The process's CPU so far, threads that ended included (utime + stime, in clock ticks), in ns."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1e9 / os.sysconf("SC_CLK_TCK")


def thread_times(pid):
    """tid -> (name, ns on CPU) for each of the process's threads."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            name = open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip()
            out[int(tid)] = (name, int(open("/proc/%d/task/%s/schedstat" % (pid, tid)).read().split()[0]))
        except OSError:
            pass  # a thread that ended meanwhile
    return out


class Run:
    def __init__(self, args, work, mode, variant, jars):
        self.args, self.work, self.mode, self.variant, self.jars = args, work, mode, variant, jars
        self.dir = tempfile.mkdtemp(dir=work)
        self.sock = os.path.join(self.dir, "s.sock")

    def start(self):
        log = open(os.path.join(self.dir, "server.log"), "w")
        if self.variant == "c":
            cmd = [os.path.join(self.work, "uds_echo_server"), self.sock] if self.mode == "echo" else [os.path.join(self.work, "uds_push"), "server", self.sock]
        else:
            options = self.args.jvm_options.split() + (["-XX:+EnableDynamicAgentLoading"] if self.args.profile else [])
            if self.mode == "echo":
                cmd = ["java"] + options + ["-jar", os.path.join(self.jars, "pipe-server.jar"), "--raw", "--name", self.sock]
            else:
                cp = ":".join([os.path.join(self.work, "probe-" + self.variant), os.path.join(self.jars, "pipe-server.jar"), os.path.join(self.jars, "pipe-client.jar")])
                cmd = ["java"] + options + ["-cp", cp, "PushServer", self.sock] + (["loop"] if self.args.push_from_loop else [])
        self.server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(400):
            text = open(os.path.join(self.dir, "server.log")).read()
            if "serving" in text or "listening" in text:
                return
            time.sleep(0.05)
        sys.exit("server did not start: " + text)

    def drive(self, count):
        a = self.args
        if self.mode == "echo":
            r = subprocess.run([os.path.join(self.work, "uds_bench_client"), self.sock, str(a.clients), str(a.size), str(count), "0"],
                               capture_output=True, text=True, check=True)
            return json.loads(r.stdout)["roundTripsPerSecond"]
        clients = [subprocess.Popen([os.path.join(self.work, "uds_push"), "client", self.sock, str(count), str(a.size)], stdout=subprocess.PIPE, text=True)
                   for _ in range(a.clients)]
        runs = [json.loads(c.communicate()[0]) for c in clients]
        return sum(r["messages"] for r in runs) / max(r["seconds"] for r in runs)

    def measure(self):
        a = self.args
        self.start()
        pid = self.server.pid
        perf = ctl = None
        counting = not a.syscalls and not (a.profile and self.variant == "c")  # perf stat, else perf record
        if counting:
            # Attached now, counting only between enable and disable: the timed part, without the warm-up.
            os.mkfifo(os.path.join(self.dir, "ctl"))
            os.mkfifo(os.path.join(self.dir, "ack"))
            perf = subprocess.Popen(["perf", "stat", "-x,", "-e", "task-clock,context-switches,page-faults", "-D", "-1",
                                     "--control", "fifo:%s/ctl,%s/ack" % (self.dir, self.dir), "-p", str(pid),
                                     "-o", os.path.join(self.dir, "stat.txt")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.mode == "echo":
            self.drive(a.warm)
            self.drive(max(1, a.warm // 4))
        else:
            for _ in range(a.warm):
                self.drive(a.messages)
        profiling = a.profile and self.variant != "c"
        if profiling:
            subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", a.async_profiler, '"start,event=cpu,interval=250us,threads"'], check=True, capture_output=True)
        if not counting:
            events = ["-e", "raw_syscalls:sys_enter", "-e", "context-switches/period=1/"] if a.syscalls else ["-g", "-e", "cpu-clock/freq=4999/"]
            perf = subprocess.Popen(["perf", "record", "-q"] + events + ["-p", str(pid), "-o", os.path.join(self.dir, "perf.data")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)  # perf record has no start signal: give it time to attach
        else:
            ctl = open(os.path.join(self.dir, "ctl"), "w")
            ack = open(os.path.join(self.dir, "ack"))
            ctl.write("enable\n")
            ctl.flush()
            ack.readline()
        before, process_before = thread_times(pid), process_time(pid)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        rate = self.drive(a.messages)
        usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        after, process_after = thread_times(pid), process_time(pid)
        if ctl:
            ctl.write("disable\n")
            ctl.flush()
            ack.readline()
        perf.send_signal(signal.SIGINT)
        perf.wait()
        messages = a.clients * a.messages
        result = {"rate": rate, "client": (usage_after.ru_utime + usage_after.ru_stime - usage.ru_utime - usage.ru_stime) * 1e6 / messages}
        if profiling:
            path = os.path.join(a.profile, "%s-%s-%d.collapsed" % (self.mode, self.variant, self.round))
            subprocess.run(["jcmd", str(pid), "JVMTI.agent_load", a.async_profiler, '"stop,file=%s"' % path], check=True, capture_output=True)
            result["profile"] = path
        self.server.kill()
        self.server.wait()
        if a.syscalls:
            result["syscalls"] = count_syscalls(os.path.join(self.dir, "perf.data"), messages)
        elif a.profile and self.variant == "c":
            path = os.path.join(a.profile, "%s-c-%d.collapsed" % (self.mode, self.round))
            script = subprocess.run(["perf", "script", "-i", os.path.join(self.dir, "perf.data"), "-F", "comm,ip,sym,dso"], capture_output=True, text=True).stdout
            with open(path, "w") as f:
                for stack, n in collapse_perf(script).items():
                    f.write("%s %d\n" % (stack, n))
            result["profile"] = path
        if counting:
            stat = {line.split(",")[2]: float(line.split(",")[0]) for line in open(os.path.join(self.dir, "stat.txt")) if line.count(",") > 3 and line[0].isdigit()}
            result["server"] = stat["task-clock"] * 1e3 / messages  # ms -> us
            result["cs"] = stat["context-switches"] / messages
            result["faults"] = stat.get("page-faults", 0) / messages
            threads = collections.Counter()
            for tid, (name, ns) in after.items():
                threads[name] += ns - before.get(tid, (name, 0))[1]
            result["threads"] = {name: ns / 1e3 / messages for name, ns in threads.items()}
            # Threads that ended in the timed part (PushServer's pusher ends with its client): the
            # process's ticks less the threads still there, on the same clock as schedstat.
            result["ended"] = ((process_after - process_before) - sum(threads.values())) / 1e3 / messages
        shutil.rmtree(self.dir, ignore_errors=True)
        return result


def count_syscalls(data, messages):
    out = subprocess.run(["perf", "script", "-i", data, "-F", "comm,event,trace"], capture_output=True, text=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"\s*(.+?)\s+(raw_syscalls:sys_enter|context-switches\S*):(.*)", line)
        if not m:
            continue
        if m.group(2).startswith("context-switches"):
            counts[(m.group(1), "context switches")] += 1
        else:
            nr = int(re.search(r"NR (\d+)", m.group(3)).group(1))
            counts[(m.group(1), SYSCALLS.get(nr, "nr %d" % nr))] += 1
    return {k: v / messages for k, v in counts.items() if v / messages >= 0.005}


def collapse_perf(script):
    """perf script call graphs -> collapsed stacks, the thread's name first, kernel frames marked _[k]."""
    stacks = collections.Counter()
    head, frames = None, []
    for line in script.splitlines() + [""]:
        if not line.strip():
            if head:
                stacks[";".join([head] + frames[::-1])] += 1
            head, frames = None, []
        elif not line[0].isspace():
            head = "[" + line.split()[0] + "]"
        else:
            parts = line.split(None, 2)
            if len(parts) >= 2:
                frames.append(parts[1].split("+0x")[0] + ("_[k]" if len(parts) > 2 and "kernel" in parts[2] else ""))
    return stacks


def cost(frames):
    """Which cost a sample belongs to, from its stack (leaf last)."""
    s = ";".join(frames)
    has = lambda *names: any(n in s for n in names)
    if has("do_epoll_wait", "EPoll.wait"):
        return "kernel: epoll_wait"
    for call, copy, wake in (("ksys_write", "_copy_from_iter", "writer wakes the reader"), ("ksys_read", "_copy_to_iter", "reader wakes the writer")):
        if has(call):
            if has(copy, "copy_user", "rep_movs"):
                return "kernel: %s, copying" % call[5:]
            if has("try_to_wake_up", "sock_def_readable", "unix_write_space", "__wake_up"):
                return "kernel: %s, %s" % (call[5:], wake)
            return "kernel: %s, the rest (skb allocation, locks)" % call[5:]
    if has("futex", "Unsafe_Park", "Unsafe_Unpark", "LockSupport"):
        return "park/unpark (futex)"
    if has("ObjArrayAllocator", "MemAllocator", "new_array", "OptoRuntime::new"):
        return "new byte[]: zeroing (and first-touch page faults)"
    if has("exc_page_fault"):
        return "page faults, other"
    if any(k in frames[-1] for k in ("arraycopy", "memmove", "memcpy", "CopyMemory")):
        # async-profiler sometimes walks a copy stub's caller wrongly (IOUtil.write with a direct
        # buffer copies nothing): on the server thread every such copy is FrameReader's or FrameWriter's.
        return "user copy: heap <-> direct buffer (Java) / memcpy (C)"
    if frames[-1].endswith("_[k]"):
        return "kernel: other"
    if frames[-1].startswith("io/pipekit"):
        return "pipekit's code"
    if frames[-1].startswith(("java/", "sun/", "jdk/")):
        return "JDK code (NIO, selector, futures)"
    return "JVM and libc, other"


def breakdown(path):
    per, totals = collections.defaultdict(collections.Counter), collections.Counter()
    for line in open(path):
        stack, n = line.rsplit(" ", 1)
        frames = stack.split(";")
        thread = re.sub(r" .*", "", frames[0].strip("[]"))  # async-profiler's "[name tid=...]"
        per[thread][cost(frames[1:])] += int(n)
        totals[thread] += int(n)
    grand = sum(totals.values())
    lines = []
    for thread, t in totals.most_common():
        if t >= grand * 0.02:
            lines.append("    %s: %d samples, %.0f%% of the process" % (thread, t, 100.0 * t / grand))
            lines += ["      %5.1f%%  %s" % (100.0 * n / t, c) for c, n in per[thread].most_common() if n >= t * 0.005]
    return "\n".join(lines)


def spread(xs):
    return "%.2f [%.2f-%.2f]" % (statistics.median(xs), min(xs), max(xs))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["echo", "push"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--clients", type=int)
    p.add_argument("--size", type=int, default=65536)
    p.add_argument("--messages", type=int)
    p.add_argument("--warm", type=int)
    p.add_argument("--variants", default="c,pipekit")
    p.add_argument("--push-from-loop", action="store_true")
    p.add_argument("--jvm-options", default="")
    p.add_argument("--syscalls", action="store_true")
    p.add_argument("--profile")
    p.add_argument("--async-profiler")
    a = p.parse_args()
    echo = a.mode == "echo"
    a.clients = a.clients or (16 if echo else 1)
    a.messages = a.messages or (2000 if echo else 20000)
    a.warm = a.warm if a.warm is not None else (2000 if echo else 2)
    if a.profile:
        if not a.async_profiler:
            sys.exit("--profile needs --async-profiler PATH/libasyncProfiler.so")
        os.makedirs(a.profile, exist_ok=True)
        a.profile = os.path.abspath(a.profile)
    work = tempfile.mkdtemp(prefix="server_cpu.")
    try:
        build(work)
        variants = []
        for v in a.variants.split(","):
            name, _, jars = v.partition("=")
            if name != "c":
                # pipekit: the jars just built; NAME=DIR: an earlier build's pipe-server.jar and pipe-client.jar.
                if not jars and name != "pipekit":
                    sys.exit("--variants: %s needs =DIR, a folder with its pipe-server.jar and pipe-client.jar" % name)
                jars = os.path.abspath(jars) if jars else os.path.join(work, "jars-" + name)
                if name == "pipekit" and "=" not in v:
                    os.makedirs(jars)
                    shutil.copy(ROOT + "/pipe-server/target/pipe-server.jar", jars)
                    shutil.copy(ROOT + "/pipe-client/target/pipe-client.jar", jars)
                subprocess.run(["javac", "--release", "17", "-d", os.path.join(work, "probe-" + name), "-cp",
                                jars + "/pipe-server.jar:" + jars + "/pipe-client.jar", ROOT + "/bench/java/PushServer.java"], check=True)
            variants.append((name, jars))
        results = collections.defaultdict(list)
        for r in range(1, a.rounds + 1):
            for name, jars in variants:
                run = Run(a, work, a.mode, name, jars)
                run.round = r
                res = run.measure()
                results[name].append(res)
                line = "round %d %-8s %7.0f messages/s" % (r, name, res["rate"])
                if "server" in res:
                    top = sorted(res["threads"].items(), key=lambda kv: -kv[1])[:3] if name != "c" else []
                    line += "  server %6.2f us/msg (%s)  %.2f context switches/msg  %.2f page faults/msg  C client %.2f us/msg" % (
                        res["server"], ", ".join("%s %.2f" % kv for kv in top), res["cs"], res["faults"], res["client"])
                print(line, flush=True)
                if "syscalls" in res:
                    for (thread, kind), n in sorted(res["syscalls"].items()):
                        print("    %-18s %-18s %.3f/msg" % (thread, kind, n))
                if "profile" in res:
                    print("    profile %s\n%s" % (res["profile"], breakdown(res["profile"])), flush=True)
        if not a.syscalls and not a.profile:
            print("medians [min-max] over %d rounds, %s, %d clients, %d bytes, %d messages per client:" % (a.rounds, a.mode, a.clients, a.size, a.messages))
            for name, rows in results.items():
                line = "  %-8s server %s us/msg" % (name, spread([x["server"] for x in rows]))
                if name != "c":
                    names = [n for n in rows[0]["threads"] if rows[0]["threads"][n] > 0.2]
                    if a.mode == "push" and not a.push_from_loop:
                        for x in rows:
                            x["threads"]["pusher (ended)"] = x["ended"]
                        names.append("pusher (ended)")
                    line += " = " + ", ".join("%s %s" % (n, spread([x["threads"].get(n, 0) for x in rows])) for n in names) + " + the rest"
                line += "; %s context switches/msg; %s page faults/msg; C client %s us/msg; %s messages/s" % (
                    spread([x["cs"] for x in rows]), spread([x["faults"] for x in rows]), spread([x["client"] for x in rows]), spread([x["rate"] for x in rows]))
                print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
