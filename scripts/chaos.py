#!/usr/bin/env python3
"""Random-crash campaign: a hub, a provider agent and a consumer agent exchange the population register
(RK-001, agreement BJ-GX-2026-004) for at least two nights, and at K moments drawn from the seed one of the
three running processes is killed with SIGKILL and started again. The same nights are run once more on a
reference exchange that nobody kills. Then:

  - the consumer's table equals the reference consumer's (row count and SM3 over the sorted rows);
  - the hub accepted exactly the reference's records (a resent batch counted twice would show here);
  - every batch was receipted once, and the consumer's checkpoint is the hub's last sequence;
  - the audit chain verifies offline against the hub's public key (after a graceful stop).

It prints `kills K, lost L, duplicated D` and exits 0 only when nothing was lost or duplicated and every
check passed. Called by scripts/chaos.sh (see its header for the options)."""
import argparse
import collections
import json
import os
import pathlib
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
AGREEMENT = "BJ-GX-2026-004"
RESOURCE = "RK-001"


PREFIX = "chaos"  # scripts/balancer.py, which reuses these pieces, says its own name


def log(message):
    print(f"{PREFIX}: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Failure(Exception):
    pass


class World:
    """One exchange: a hub (SQLite or PostgreSQL) with the Beijing agencies, catalogue and agreements, and the
    agent configurations of RK-001's provider and BJ-GX-2026-004's consumer."""

    def __init__(self, name, directory, gx, store, postgres_url, rows, seed):
        self.name, self.gx, self.store, self.rows, self.seed = name, gx, store, rows, seed
        self.state = directory / name
        self.state.mkdir(parents=True)
        (self.state / "hub").mkdir()
        (self.state / "agencies").mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.hub_log = self.state / "hub" / "hub.log"
        self.hub = None
        self.hub_starts = 0
        self.lock = threading.Lock()
        if store == "sqlite":
            self.database = str(self.state / "hub" / "hub.sqlite")
            self.serve_extra = []
            self.run([gx, "hub", "init", "--db", self.database])
        else:
            database = f"gx_chaos_{name}_{os.getpid()}"
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", postgres_url, "-c", f'CREATE DATABASE "{database}"'],
                           check=True, capture_output=True)
            self.database = postgres_url.replace("/postgres?", f"/{database}?", 1) if "/postgres?" in postgres_url \
                else postgres_url.rsplit("/", 1)[0] + "/" + database
            # Payloads in the database (no --batches): a hub killed mid-push leaves its upload there.
            self.serve_extra = ["--key", str(self.state / "hub" / "hub.key")]
            self.run([gx, "hub", "init", "--db", self.database, "--key-dir", str(self.state / "hub")])

    def run(self, arguments, check=True):
        result = subprocess.run(arguments, capture_output=True, text=True, env={**os.environ, "GX_HUB": self.url})
        if check and result.returncode != 0:
            raise Failure(f"{self.name}: {' '.join(map(str, arguments[1:4]))}… exited {result.returncode}: {result.stderr[-2000:]}")
        return result

    # The hub process

    def start_hub(self):
        """Starts the hub and returns once its own log says it listens (another process may hold the port)."""
        with self.lock:
            marker = f"listening on 127.0.0.1:{self.port}"
            before = self.hub_log.read_text(errors="replace").count(marker) if self.hub_log.exists() else 0
            with open(self.hub_log, "a") as err:
                self.hub = subprocess.Popen([self.gx, "hub", "serve", "--db", self.database, "--listen", f"127.0.0.1:{self.port}"]
                                            + self.serve_extra, stdout=subprocess.DEVNULL, stderr=err)
            self.hub_starts += 1
            for _ in range(600):
                if self.hub_log.read_text(errors="replace").count(marker) > before:
                    return
                if self.hub.poll() is not None:
                    raise Failure(f"{self.name}: the hub exited {self.hub.returncode}; see {self.hub_log}")
                time.sleep(0.05)
            raise Failure(f"{self.name}: the hub did not listen within 30 s; see {self.hub_log}")

    def kill_hub(self):
        with self.lock:
            if self.hub and self.hub.poll() is None:
                self.hub.send_signal(signal.SIGKILL)
                self.hub.wait()

    def stop_hub(self):
        with self.lock:
            if self.hub and self.hub.poll() is None:
                self.hub.send_signal(signal.SIGTERM)
                self.hub.wait(timeout=60)

    # Registration, as the quickstart does it

    def register(self):
        gx, admin = self.gx, str(self.state / "hub" / "admin.token")
        agencies_file = ROOT / "Agreements" / "agencies.toml"
        codes = [a["code"] for a in tomllib.loads(agencies_file.read_text())["agency"]]
        for code in codes:
            self.run([gx, "keys", "generate", "--out", str(self.state / "agencies"), "--name", code])
        self.run([gx, "agencies", "import", "--token-file", admin, "--keys", str(self.state / "agencies"),
                  "--tokens", str(self.state / "agencies"), str(agencies_file)])
        self.run([gx, "catalogue", "publish", "--token-file", admin] + [str(p) for p in sorted((ROOT / "Catalogue").glob("*.toml"))])
        path = next((ROOT / "Agreements").glob(f"{AGREEMENT}*.toml"))
        agreement = tomllib.loads(path.read_text())
        self.provider, self.consumer = agreement["provider"], agreement["consumer"]
        self.run([gx, "agreement", "import", "--token-file", admin, str(path)])
        for party in (self.consumer, self.provider):
            self.run([gx, "agreement", "sign", AGREEMENT, "--token-file", str(self.state / "agencies" / f"{party}.token"),
                      "--key", str(self.state / "agencies" / f"{party}.key")])
        # Items above 一般 (GB/T 43697-2024) are filed only when the authority acknowledges their levels.
        entry = next(tomllib.loads(p.read_text()) for p in (ROOT / "Catalogue").glob("*.toml")
                     if tomllib.loads(p.read_text())["resource_code"] == agreement["resource"])
        grades = {i.get("level", "").split("/")[0] for i in entry["items"] if i["name"] in agreement["items"]}
        levels = [g for g in ("重要", "核心") if g in grades]
        self.run([gx, "agreement", "file", AGREEMENT, "--token-file", admin] + (["--acknowledge-levels", ",".join(levels)] if levels else []))
        self.items = agreement["items"]
        self.write_configs()

    def write_configs(self):
        catalogue = next(tomllib.loads(p.read_text()) for p in (ROOT / "Catalogue").glob("*.toml")
                         if tomllib.loads(p.read_text())["resource_code"] == RESOURCE)
        self.key_item = next(i["name"] for i in catalogue["items"] if i.get("key"))
        mapping = subprocess.run([self.gx, "sample", "--resource", RESOURCE, "--print-mapping"], check=True,
                                 capture_output=True, text=True).stdout
        provide = tomllib.loads(mapping)["provide"]
        maps = (provide[0] if isinstance(provide, list) else provide)["map"]
        key_column = next(m["column"] for m in maps if m["item"] == self.key_item)

        def header(code):
            return [f'hub = "{self.url}"', f'agency = "{code}"', f'token_file = "../../agencies/{code}.token"',
                    f'key_file = "../../agencies/{code}.key"', 'hub_key_file = "../../hub/hub.pub"', 'state_dir = "state"', ""]

        provider = header(self.provider) + ["[[provide]]", f'resource = "{RESOURCE}"', "batch_records = 500", "[provide.source]",
                                            'kind = "csv"', f'path = "data/{RESOURCE}.csv"', f'key = ["{key_column}"]', ""]
        provider += [line for line in mapping.splitlines() if not line.startswith("[[provide]]")]
        consumer = header(self.consumer) + ["[[consume]]", f'agreement = "{AGREEMENT}"', "[consume.sink]", 'kind = "sqlite"',
                                            'path = "data/received.sqlite"', 'table = "RK_001"', f'key = ["{self.key_item}"]',
                                            "create = true", ""]
        for item in self.items:
            consumer += ["[[consume.map]]", f'item = "{item}"', f'column = "{item}"', ""]
        self.configs = {}
        for role, code, lines in (("provider", self.provider, provider), ("consumer", self.consumer, consumer)):
            directory = self.state / "agents" / code
            (directory / "data").mkdir(parents=True)
            (directory / "agent.toml").write_text("\n".join(lines) + "\n")
            self.configs[role] = str(directory / "agent.toml")

    def export_night(self, night):
        """Night 1 is the register; every later night alternates between gx sample's two exports, so each night
        after the first changes about 1 % of rows (updates, deletions and insertions)."""
        sample_night = 1 if night % 2 == 1 else 2
        self.run([self.gx, "sample", "--resource", RESOURCE, "--rows", str(self.rows), "--seed", str(self.seed),
                  "--night", str(sample_night), "--invalid-every", "250",
                  "--out", str(self.state / "agents" / self.provider / "data" / f"{RESOURCE}.csv")])

    # Evidence

    def consumer_rows(self):
        path = self.state / "agents" / self.consumer / "data" / "received.sqlite"
        with sqlite3.connect(path) as db:
            columns = [row[1] for row in db.execute('PRAGMA table_info("RK_001")')]
            return [tuple(row) for row in db.execute(f'SELECT * FROM "RK_001" ORDER BY "{self.key_item}"')], columns

    def consumer_checkpoint(self):
        path = self.state / "agents" / self.consumer / "data" / "received.sqlite"
        with sqlite3.connect(path) as db:
            return dict(db.execute("SELECT stream, sequence FROM gx_checkpoints").fetchall())

    def audit_entries(self):
        out = self.state / "audit.ndjson"
        self.run([self.gx, "audit", "export", "--token-file", str(self.state / "hub" / "admin.token"), "--out", str(out)])
        return [json.loads(line)["entry"] for line in out.read_text().splitlines() if '"type":"entry"' in line]


class Campaign:
    """Runs nights on a world, retrying each agent until its run succeeds; a killer thread, when given,
    kills one running process at each drawn moment."""

    def __init__(self, world, kills=0, seed=0, phases=()):
        self.world, self.kills_wanted = world, kills
        self.random = random.Random(seed)
        self.phases = list(phases)  # ((night, role), seconds of agent work) of the calm run, in order
        self.phase = None
        self.kills = []
        self.agent = None          # (role, Popen) while an agent runs
        self.working = 0.0         # seconds agents ran
        self.worked = []           # ((night, role), seconds) per phase, in order
        self.agent_lock = threading.Lock()
        self.done = threading.Event()

    def run_agent(self, night, role):
        with self.agent_lock:
            self.phase = (night, role)
        attempts = 0
        phase_started = self.working
        while True:
            attempts += 1
            with self.agent_lock:
                process = subprocess.Popen([self.world.gx, "agent", "run", "--config", self.world.configs[role]],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                           env={**os.environ, "GX_HUB": self.world.url})
                self.agent = (role, process)
            started = time.monotonic()
            _, err = process.communicate()
            self.working += time.monotonic() - started
            with self.agent_lock:
                self.agent = None
            if process.returncode == 0:
                self.worked.append(((night, role), self.working - phase_started))
                return attempts
            if process.returncode == -signal.SIGKILL:
                continue
            # Killed hub mid-request, or the hub restarting: try again; a real defect fails every time.
            if attempts >= 60:
                raise Failure(f"{self.world.name}: the {role} agent failed {attempts} times; last: {err[-2000:]}")
            self.world.ensure_hub()
            time.sleep(0.2)

    def killer(self):
        """Kills at K moments drawn uniformly over the calm run's agent working time. Each moment falls in one
        phase of the calm run (night n's provider or consumer) at an offset; in this run it strikes when the
        same phase has worked that long (attempts after a kill included), so kills land in every phase of both
        nights in proportion to their length however much recovery the earlier kills caused."""
        total = sum(duration for _, duration in self.phases)
        plan = collections.defaultdict(list)
        for _ in range(self.kills_wanted):
            moment = self.random.uniform(0, total)
            for phase, duration in self.phases:
                if moment < duration:
                    plan[phase].append(moment)
                    break
                moment -= duration
            else:
                plan[self.phases[-1][0]].append(self.phases[-1][1])
        for moments in plan.values():
            moments.sort()
        current, progress, last = None, 0.0, time.monotonic()
        while not self.done.is_set() and len(self.kills) < self.kills_wanted:
            self.done.wait(0.005)
            now = time.monotonic()
            with self.agent_lock:
                phase = self.phase
                if phase != current:
                    # A phase ended before its moments: they strike early in the next one.
                    carried = [0.0] * len(plan.pop(current, [])) if current is not None else []
                    plan[phase] = sorted(plan.get(phase, []) + carried)
                    current, progress = phase, 0.0
                elif self.agent:
                    progress += now - last
            last = now
            moments = plan.get(current, [])
            if not moments or progress < moments[0]:
                continue
            moments.pop(0)
            with self.agent_lock:
                running = ["hub"] + ([self.agent[0]] if self.agent else [])
                target = self.random.choice(running)
                if target != "hub":
                    self.agent[1].send_signal(signal.SIGKILL)
            if target == "hub":
                self.world.kill_hub()
                self.world.start_hub()
            last = time.monotonic()
            self.kills.append(target)
            log(f"{self.world.name}: kill {len(self.kills)}/{self.kills_wanted}: night {current[0]} {current[1]}'s phase "
                f"at {progress:.2f} s of its work: {target}")

    def nights(self, last, first=1, more_while_killing=False):
        """Runs nights first…last, and more while kills remain to be made; returns the last night run."""
        thread = threading.Thread(target=self.killer, daemon=True) if self.kills_wanted else None
        if thread:
            thread.start()
        night = first - 1
        try:
            while night < last or (more_while_killing and len(self.kills) < self.kills_wanted):
                night += 1
                self.world.export_night(night)
                self.run_agent(night, "provider")
                self.run_agent(night, "consumer")
                log(f"{self.world.name}: night {night} done ({len(self.kills)} kills so far)")
        finally:
            self.done.set()
            if thread:
                thread.join()
        return night


def ensure_hub(world):
    with world.lock:
        alive = world.hub is not None and world.hub.poll() is None
    if not alive:
        world.start_hub()


World.ensure_hub = ensure_hub


def accepted_records(entries):
    return sum(e["details"].get("upserts", 0) + e["details"].get("deletes", 0) for e in entries if e["action"] == "batch.accepted")


def receipts(entries):
    return collections.Counter((e.get("agreement"), e["details"].get("sequence")) for e in entries if e["action"] == "batch.received")


def verify_audit(world):
    result = world.run([world.gx, "audit", "verify", "--db", world.database, "--pub", str(world.state / "hub" / "hub.pub")], check=False)
    return result.returncode, (result.stdout + result.stderr).strip().splitlines()[-1:] or [""]


def sm3(rows):
    text = "".join("\t".join("" if v is None else str(v) for v in row) + "\n" for row in rows)
    with tempfile.NamedTemporaryFile("w", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run(["openssl", "dgst", "-sm3", "-r", f.name], check=True, capture_output=True, text=True).stdout.split()[0]
    finally:
        os.unlink(f.name)


def compare(reference, chaos):
    """Stops both worlds' hubs and compares what the chaos world's consumer holds and its hub accepted with the
    reference's. Returns (chaos report, consumer SM3, last sequence, lost rows, duplicates, problems)."""
    report = {}
    for world in (reference, chaos):
        entries = world.audit_entries()
        rows, columns = world.consumer_rows()
        report[world.name] = dict(entries=entries, rows=rows, columns=columns, checkpoint=world.consumer_checkpoint())
        world.stop_hub()
        report[world.name]["audit"] = verify_audit(world)

    ref, got = report[reference.name], report[chaos.name]
    problems = []
    ref_rows, got_rows = set(ref["rows"]), set(got["rows"])
    lost = len(ref_rows - got_rows)
    extra = len(got_rows - ref_rows)
    if ref["columns"] != got["columns"]:
        problems.append(f"consumer columns differ: {got['columns']} vs {ref['columns']}")
    ref_digest, got_digest = sm3(ref["rows"]), sm3(got["rows"])
    if ref_digest != got_digest:
        problems.append(f"consumer table SM3 {got_digest} differs from the reference's {ref_digest}")
    duplicated = max(0, accepted_records(got["entries"]) - accepted_records(ref["entries"]))
    if accepted_records(got["entries"]) < accepted_records(ref["entries"]):
        problems.append(f"the hub accepted {accepted_records(got['entries'])} records, the reference {accepted_records(ref['entries'])}")
    twice = {key: n for key, n in receipts(got["entries"]).items() if n > 1}
    duplicated += len(twice)
    last_sequence = max((e["details"]["sequence"] for e in got["entries"] if e["action"] == "batch.accepted"), default=0)
    if set(receipts(got["entries"])) != {(AGREEMENT, s) for s in range(1, last_sequence + 1)}:
        missing = sorted({(AGREEMENT, s) for s in range(1, last_sequence + 1)} - set(receipts(got["entries"])))
        problems.append(f"batches without a receipt: {missing[:10]}")
    if last_sequence not in got["checkpoint"].values():
        problems.append(f"the consumer's checkpoint {got['checkpoint']} is not the hub's last sequence {last_sequence}")
    for name in (reference.name, chaos.name):
        status, last = report[name]["audit"]
        if status != 0:
            problems.append(f"{name}: gx audit verify exited {status}: {last[0]}")
    if twice:
        problems.append(f"receipted more than once: {sorted(twice)[:10]}")
    if lost or extra:
        problems.append(f"{lost} reference rows missing or different at the consumer, {extra} rows the reference does not hold")

    return got, got_digest, last_sequence, lost, duplicated, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--gx", required=True)
    parser.add_argument("--keep", help="keep the campaign's state in this directory")
    options = parser.parse_args()
    postgres_url = os.environ.get("GX_TEST_POSTGRES_URL", "")
    if options.store == "postgres" and not postgres_url:
        sys.exit("chaos: --store postgres needs GX_TEST_POSTGRES_URL (scripts/chaos.sh starts a throwaway server)")

    directory = pathlib.Path(options.keep or tempfile.mkdtemp(prefix="gx-chaos-"))
    directory.mkdir(parents=True, exist_ok=True)
    log(f"{options.rows} rows, {options.kills} kills, seed {options.seed}, {options.store} hub; state in {directory}")
    worlds = []
    try:
        reference = World("reference", directory, options.gx, options.store, postgres_url, options.rows, options.seed)
        chaos = World("chaos", directory, options.gx, options.store, postgres_url, options.rows, options.seed)
        worlds = [reference, chaos]
        for world in worlds:
            world.start_hub()
            world.register()

        started = time.monotonic()
        reference_run = Campaign(reference)
        nights = reference_run.nights(2)
        calm = time.monotonic() - started
        log(f"reference: 2 nights in {calm:.1f} s ({reference_run.working:.1f} s of agent work)")

        # Kills spread over the agents' working time of the calm run, so they land in every phase of both nights.
        campaign = Campaign(chaos, kills=options.kills, seed=options.seed, phases=reference_run.worked)
        started = time.monotonic()
        chaos_nights = campaign.nights(2, more_while_killing=True)
        log(f"chaos: {chaos_nights} nights and {len(campaign.kills)} kills in {time.monotonic() - started:.1f} s "
            f"({collections.Counter(campaign.kills)})")
        if chaos_nights > nights:
            Campaign(reference).nights(chaos_nights, first=nights + 1)  # the same exports, in the same order

        got, got_digest, last_sequence, lost, duplicated, problems = compare(reference, chaos)

        print(f"kills {len(campaign.kills)} ({', '.join(f'{t} {n}' for t, n in sorted(collections.Counter(campaign.kills).items()))}), "
              f"nights {chaos_nights}, hub starts {chaos.hub_starts}, consumer rows {len(got['rows'])} (SM3 {got_digest[:16]}…), "
              f"records accepted {accepted_records(got['entries'])}, batches {last_sequence}")
        print(f"kills {len(campaign.kills)}, lost {lost}, duplicated {duplicated}")
        for problem in problems:
            print(f"  FAILED: {problem}")
        return 1 if problems else 0
    except Failure as failure:
        print(f"chaos: {failure}", file=sys.stderr)
        return 1
    finally:
        for world in worlds:
            try:
                world.kill_hub()
            except Exception:
                pass
        if options.store == "postgres":
            for world in worlds:
                subprocess.run(["psql", "-q", postgres_url, "-c", f'DROP DATABASE IF EXISTS "{world.database.rsplit("/", 1)[1].split("?")[0]}" WITH (FORCE)'],
                               capture_output=True)


if __name__ == "__main__":
    sys.exit(main())
