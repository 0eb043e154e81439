#!/usr/bin/env bash
# Wineserver requests per pushed 64 KiB message made by the C client (and by the threads a server
# starts for it, such as PushServer's pusher), reading from PushServer and from the blocking C push
# server in turn (issue 28: why the same client costs more reading from pipekit). The test bed's
# wineserver traces every request (-d1); each server is warmed up, then 3 repetitions of runs of
# 500 and 2,500 messages are counted by the threads new in each run, per message by difference.
#
# Usage: bench/wine_push_client_requests.sh    (needs Docker, the test bed image and the built jars)
set -euo pipefail
cd "$(dirname "$0")/.."
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp -o "$w"/pipe-push.exe bench/c/pipe_push.c
cp "$w"/pipe-push.exe "$w"/push-client.exe
javac --release 17 -d "$w"/probe -cp pipe-server/target/pipe-server.jar bench/java/PushServer.java
cp pipe-server/target/pipe-server.jar "$w"/
image=$(pipe-it/src/test/wine/build-image.sh --tag)
docker run --rm --network none -v "$w:/bench" "$image" bash -c '
cd /bench; wineserver -p -d1 2> trace.log
wine $PIPEKIT_JAVA $PIPEKIT_JAVA_OPTIONS -cp "probe;pipe-server.jar" PushServer pk > pk.log 2>&1 &
wine pipe-push.exe server cs > cs.log 2>&1 &
for _ in $(seq 400); do grep -q serving pk.log && grep -q listening cs.log && break; sleep 0.05; done
for s in pk cs; do for i in $(seq 10); do wine push-client.exe client $s 2000 65536 > warm.out 2>&1; done; done
: > marks.txt
for rep in 1 2 3; do for s in pk cs; do for n in 500 2500; do
  a=$(wc -l < trace.log); wine push-client.exe client $s $n 65536 > run.out 2>&1; b=$(wc -l < trace.log)
  echo "$s $n $a $b $(tr -d "\r" < run.out)" >> marks.txt
done; done; done
wineserver -k || true'
python3 - "$w/trace.log" "$w/marks.txt" <<'PY'
import collections, re, sys
lines = open(sys.argv[1], errors="replace").read().split("\n")
request = re.compile(r"^([0-9a-f]{4,8}): (\w+)\( ")  # request lines only: a reply reads "name() = ..."
seen, pos = set(), 0
runs = collections.defaultdict(list)  # server -> [(messages, {tid: Counter})]
for mark in open(sys.argv[2]):
    server, n, a, b = mark.split(" ", 4)[:4]
    a, b = int(a), int(b)
    for line in lines[pos:a]:
        m = request.match(line)
        if m: seen.add(m.group(1))
    pos = a
    threads = collections.defaultdict(collections.Counter)
    for line in lines[a:b]:
        m = request.match(line)
        if m and m.group(1) not in seen: threads[m.group(1)][m.group(2)] += 1
    runs[server].append((int(n), threads))
for server, rs in runs.items():
    for i in range(0, len(rs), 2):
        (n1, t1), (n2, t2) = rs[i], rs[i + 1]
        def role(threads):  # the client's thread reads; any other new thread is the server's
            client = max(threads, key=lambda t: threads[t]["read"])
            other = collections.Counter()
            for t, c in threads.items():
                if t != client: other += c
            return threads[client], other
        (c1, o1), (c2, o2) = role(t1), role(t2)
        for name, x, y in (("client", c1, c2), ("server's new threads", o1, o2)):
            per = {k: round((y[k] - x[k]) / (n2 - n1), 2) for k in set(x) | set(y)}
            per = {k: v for k, v in sorted(per.items(), key=lambda kv: -kv[1]) if abs(v) >= 0.02}
            print(f"{server} rep {i // 2 + 1} {name}: {round(sum(per.values()), 2)} per message {per}")
PY
