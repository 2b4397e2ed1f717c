#!/usr/bin/env python3
"""Load an ingested zhili index into the two-shard Sphinx of deploy/sphinx/ and time it.

Starts the shipped shard0/shard1/router configs (data under --work, ports from --base-port up,
loopback only), runs `zhili export --format sphinxql --shards 2` (timed), ships each shard's
statements with the mysql client (timed), then sends every query of --queries --repeat times
through the distributed index `cases` (words cut by Python jieba, default mode, HMM on, like
zhili's query analyzer) and reads the router's query log: median and p95 of searchd's own
times (ms, 1 ms resolution), the number of zero-hit queries, and the total hits. Needs searchd,
mysql and `pip install jieba`. Stops the three searchd processes at the end.

usage: sphinx_compare.py --zhili BIN --index DIR --corpus DIR --queries FILE --work DIR
                         [--repeat 5] [--base-port 19306]
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

DEPLOY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "sphinx")
SHIPPED_PORTS = [9312, 9313, 9307, 9308, 9306]
TIME = re.compile(r"\] (\d+\.\d+) sec .*?\[ext2?/\d+/\w+ (\d+) ")


def start(work, name, ports, wait_port):
    with open(os.path.join(DEPLOY, f"{name}.conf"), encoding="utf-8") as f:
        config = f.read().replace("/var/lib/zhili-sphinx", work)
    for old, new in zip(SHIPPED_PORTS, ports):
        config = config.replace(f"127.0.0.1:{old}", f"127.0.0.1:{new}")
    os.makedirs(os.path.join(work, name), exist_ok=True)
    path = os.path.join(work, f"{name}.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(config)
    log = open(os.path.join(work, name, "console.log"), "w")
    proc = subprocess.Popen(["searchd", "--config", path, "--nodetach"], stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", wait_port), 0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit(f"{name} did not start: see {work}/{name}/console.log")


def mysql(port, sql):
    out = subprocess.run(["mysql", "--no-defaults", "--batch", "--skip-column-names",
                          "-h", "127.0.0.1", "-P", str(port)],
                         input=sql, capture_output=True, text=True)
    if out.returncode != 0 or out.stderr:
        sys.exit(f"mysql on {port}: {out.stderr[:500]}")
    return out.stdout


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs
               if f.startswith("cases_"))


def main():
    p = argparse.ArgumentParser()
    for name in ["zhili", "index", "corpus", "queries", "work"]:
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--base-port", type=int, default=19306)
    a = p.parse_args()
    import jieba
    jieba.setLogLevel(60)
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    ports = [a.base_port + i for i in range(1, 5)] + [a.base_port]
    procs = [start(a.work, "shard0", ports, ports[2]), start(a.work, "shard1", ports, ports[3]),
             start(a.work, "router", ports, ports[4])]
    try:
        t = time.time()
        export = subprocess.run([a.zhili, "export", "--format", "sphinxql", "--shards", "2",
                                 "--index", a.index, "--corpus", a.corpus],
                                capture_output=True, text=True, check=True).stdout
        export_s = time.time() - t
        t = time.time()
        for shard in range(2):
            prefix = f"INSERT INTO cases_{shard} ("
            mysql(ports[2 + shard], "".join(l + "\n" for l in export.splitlines()
                                            if l.startswith(prefix)))
        ship_s = time.time() - t
        for shard in range(2):  # RAM chunks to disk, so that the size below is the index
            mysql(ports[2 + shard], f"FLUSH RTINDEX cases_{shard};")
        docs = mysql(ports[4], "SELECT id FROM cases LIMIT 1; SHOW META;")
        total = int(re.search(r"total_found\t(\d+)", docs).group(1))
        with open(a.queries, encoding="utf-8") as f:
            queries = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        statements = []
        for q in queries:
            words = " ".join(w for part in q.split() for w in jieba.cut(part, HMM=True) if w.strip())
            statements.append(f"SELECT zhili_id FROM cases WHERE MATCH('{words}') LIMIT 10;")
        log = os.path.join(a.work, "router", "query.log")
        mysql(ports[4], "\n".join(statements) + "\n")  # warm-up
        skip = sum(1 for _ in open(log, encoding="utf-8", errors="replace"))
        mysql(ports[4], "\n".join(statements * a.repeat) + "\n")
        times, found = [], []
        with open(log, encoding="utf-8", errors="replace") as f:
            for line in list(f)[skip:]:
                m = TIME.search(line)
                if m:
                    times.append(float(m.group(1)) * 1000)
                    found.append(int(m.group(2)))
        times.sort()
        first = found[: len(queries)]
        result = {
            "documents": total, "export_s": round(export_s, 2), "export_mb": round(len(export.encode()) / 1e6, 1),
            "ship_s": round(ship_s, 2), "index_mb": round(sum(du(os.path.join(a.work, f"shard{k}")) for k in range(2)) / 1e6, 1),
            "queries": len(queries), "timed": len(times), "q_median_ms": statistics.median(times),
            "q_p95_ms": times[int(0.95 * (len(times) - 1))], "zero_hit": first.count(0), "hits_total": sum(first),
        }
        print(json.dumps(result))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
