#!/usr/bin/env python3
"""Two hubs behind nginx, without a shared disk: two `gx hub serve` processes on one PostgreSQL database, each
in a directory of its own (payloads kept in the database), behind nginx from Debian configured with
Deploy/nginx/gongxiang-proxy.conf — the file an operator installs. The agents know only nginx's address.

  night 1 (the initial load): the provider pushes; hub A is killed with SIGKILL while it does, and stays
          down until the push ends. Then the consumer pulls; hub B is killed while it does.
  night 2 (~1 % changed): the consumer follows (`--follow`, long polls through nginx) from before the
          provider starts; hub A is killed while both run.

Every agent run must end with exit 0 at its first attempt: the night completes through the other hub (the
agents retry what the dead hub left unanswered, nginx sends them to the living one). The same nights on one
calm hub are the reference; then, as scripts/chaos.py checks: the consumer holds exactly the reference's
rows (SM3), no batch was accepted or receipted twice, the checkpoint is the hub's last sequence, and the
audit chain verifies. nginx's access log must show that both hubs served each phase and that the survivor
answered after each kill. Prints `hub kills K, lost L, duplicated D`. Called by scripts/balancer.sh."""
import argparse
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import chaos  # noqa: E402
from chaos import AGREEMENT, ROOT, Campaign, Failure, World, compare, free_port, log  # noqa: E402

chaos.PREFIX = "balancer"


class BalancedWorld(World):
    """The chaos world's exchange served by two hub processes behind nginx. Each hub has its own directory with
    a copy of the hub key and the data keys (as two machines would), and keeps payloads in PostgreSQL."""

    def __init__(self, name, directory, gx, postgres_url, rows, seed, nginx, payloads):
        super().__init__(name, directory, gx, "postgres", postgres_url, rows, seed)
        if payloads == "postgres":
            shutil.rmtree(self.state / "batches", ignore_errors=True)  # no shared batch directory
            self.payload_arguments = ["--payloads", "postgres"]
        else:  # the set-up this replaces: one batch directory every hub mounts (NFS in practice)
            (self.state / "batches").mkdir(exist_ok=True)
            self.payload_arguments = ["--payloads", "files", "--batches", str(self.state / "batches")]
        self.hubs = {}
        for label in ("A", "B"):
            home = self.state / f"hub-{label}"
            home.mkdir()
            shutil.copy2(self.state / "hub" / "hub.key", home / "hub.key")
            shutil.copytree(self.state / "hub" / "data-keys", home / "data-keys")
            self.hubs[label] = dict(port=free_port(), home=home, log=home / "hub.log", process=None, starts=0)
        # Agents, and gx commands, reach the hubs only through nginx.
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.nginx_binary = nginx
        self.nginx = None
        self.nginx_home = self.state / "nginx"
        self.access_log = self.nginx_home / "access.log"

    # nginx

    def start_nginx(self):
        home = self.nginx_home
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (home / "temp" / sub).mkdir(parents=True, exist_ok=True)
        upstream = "\n".join(f"        server 127.0.0.1:{hub['port']} max_fails=1 fail_timeout=3s;" for hub in self.hubs.values())
        (home / "nginx.conf").write_text(f"""# Written by scripts/balancer.py: the test's frame around Deploy/nginx/gongxiang-proxy.conf.
daemon off;
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {home}/temp/client_body;
    proxy_temp_path {home}/temp/proxy;
    fastcgi_temp_path {home}/temp/fastcgi;
    uwsgi_temp_path {home}/temp/uwsgi;
    scgi_temp_path {home}/temp/scgi;
    log_format balanced '$msec $request_method $uri $status upstream=$upstream_addr upstream_status=$upstream_status';
    access_log {self.access_log} balanced;
    upstream gongxiang_hubs {{
{upstream}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{self.port};
        include {ROOT}/Deploy/nginx/gongxiang-proxy.conf;
    }}
}}
""")
        check = subprocess.run([self.nginx_binary, "-t", "-p", str(home), "-c", str(home / "nginx.conf")], capture_output=True, text=True)
        if check.returncode != 0:
            raise Failure(f"nginx refuses the configuration: {check.stderr.strip()}")
        self.nginx = subprocess.Popen([self.nginx_binary, "-p", str(home), "-c", str(home / "nginx.conf")],
                                      stdout=subprocess.DEVNULL, stderr=open(home / "stderr.log", "a"))
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.nginx.poll() is not None:
                    raise Failure(f"nginx exited {self.nginx.returncode}; see {home}/error.log")
                time.sleep(0.05)
        raise Failure("nginx did not listen within 10 s")

    def stop_nginx(self):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()

    def served(self, since, until=None):
        """Requests nginx passed on between two instants: {hub label: count of answers the hub gave}."""
        ports = {str(hub["port"]): label for label, hub in self.hubs.items()}
        counts = {label: 0 for label in self.hubs}
        for line in self.access_log.read_text(errors="replace").splitlines():
            fields = line.split()
            moment = float(fields[0])
            if moment < since or (until is not None and moment > until):
                continue
            # The last upstream tried is the one that answered (`a:1, b:2` when nginx moved on).
            addresses = re.findall(r"127\.0\.0\.1:(\d+)", line.split("upstream=", 1)[1].split(" upstream_status=")[0])
            statuses = line.split("upstream_status=", 1)[1].replace(",", " ").split()
            if addresses and statuses and statuses[-1] not in ("502", "504", "-") and addresses[-1] in ports:
                counts[ports[addresses[-1]]] += 1
        return counts

    # The hubs (World's single-hub methods act on both)

    def start_one(self, label):
        hub = self.hubs[label]
        with self.lock:
            marker = f"listening on 127.0.0.1:{hub['port']}"
            before = hub["log"].read_text(errors="replace").count(marker) if hub["log"].exists() else 0
            with open(hub["log"], "a") as err:
                hub["process"] = subprocess.Popen(
                    [self.gx, "hub", "serve", "--db", self.database, "--listen", f"127.0.0.1:{hub['port']}",
                     "--key", str(hub["home"] / "hub.key"), "--data-keys", str(hub["home"] / "data-keys")] + self.payload_arguments,
                    stdout=subprocess.DEVNULL, stderr=err)
            hub["starts"] += 1
            self.hub_starts += 1
            for _ in range(600):
                if hub["log"].read_text(errors="replace").count(marker) > before:
                    return
                if hub["process"].poll() is not None:
                    raise Failure(f"{self.name}: hub {label} exited {hub['process'].returncode}; see {hub['log']}")
                time.sleep(0.05)
            raise Failure(f"{self.name}: hub {label} did not listen within 30 s; see {hub['log']}")

    def kill_one(self, label):
        hub = self.hubs[label]
        with self.lock:
            if hub["process"] and hub["process"].poll() is None:
                hub["process"].send_signal(signal.SIGKILL)
                hub["process"].wait()

    def alive(self, label):
        process = self.hubs[label]["process"]
        return process is not None and process.poll() is None

    def start_hub(self):
        for label in self.hubs:
            if not self.alive(label):
                self.start_one(label)

    def kill_hub(self):
        for label in self.hubs:
            self.kill_one(label)

    def stop_hub(self):
        with self.lock:
            for hub in self.hubs.values():
                if hub["process"] and hub["process"].poll() is None:
                    hub["process"].send_signal(signal.SIGTERM)
                    hub["process"].wait(timeout=60)

    def ensure_hub(self):
        self.start_hub()


class Night:
    """Runs agents through the balancer and kills one hub while they work; every run must succeed at once."""

    def __init__(self, world, calm):
        self.world, self.calm = world, calm  # calm: seconds each phase took on the reference
        self.kills = []
        self.problems = []

    def agent(self, role, extra=()):
        return subprocess.Popen([self.world.gx, "agent", "run", "--config", self.world.configs[role], *extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def kill_during(self, label, processes, after, what):
        """Kills hub `label` `after` seconds into the phase, if the phase's agents still run then."""
        deadline = time.monotonic() + after
        while time.monotonic() < deadline:
            if all(p.poll() is not None for p in processes):
                self.problems.append(f"{what}: the agents finished within {after:.2f} s, before hub {label} could be killed "
                                     f"(use more --rows)")
                return None
            time.sleep(0.01)
        if all(p.poll() is not None for p in processes):
            self.problems.append(f"{what}: the agents finished before hub {label} was killed (use more --rows)")
            return None
        self.world.kill_one(label)
        moment = time.time()
        self.kills.append((label, what))
        log(f"{self.world.name}: killed hub {label} {after:.2f} s into {what}")
        return moment

    def finish(self, processes, what):
        for role, process in processes:
            _, err = process.communicate()
            if process.returncode != 0:
                self.problems.append(f"{what}: the {role} agent exited {process.returncode} at its first attempt: {err.strip()[-1500:]}")

    def check_served(self, what, started, killed, label, ended):
        survivor = next(other for other in self.world.hubs if other != label)
        before = self.world.served(started, killed) if killed else {}
        after = self.world.served(killed, ended) if killed else {}
        log(f"{self.world.name}: {what}: answers before the kill {before}, after {after}")
        if killed and before.get(label, 0) == 0:
            self.problems.append(f"{what}: hub {label} answered nothing before it was killed: {before}")
        if killed and after.get(survivor, 0) == 0:
            self.problems.append(f"{what}: hub {survivor} answered nothing after hub {label} was killed: {after}")

    def push_then_pull(self, night):
        """Night 1: hub A dies mid-push (and stays down until the push ends), hub B dies mid-pull."""
        world = self.world
        world.export_night(night)
        started = time.time()
        provider = self.agent("provider")
        killed = self.kill_during("A", [provider], self.calm[(night, "provider")] * 0.4, f"night {night}'s push")
        self.finish([("provider", provider)], f"night {night}'s push")
        self.check_served(f"night {night}'s push", started, killed, "A", time.time())
        world.start_hub()  # A again, for the pull
        started = time.time()
        consumer = self.agent("consumer")
        killed = self.kill_during("B", [consumer], self.calm[(night, "consumer")] * 0.4, f"night {night}'s pull")
        self.finish([("consumer", consumer)], f"night {night}'s pull")
        self.check_served(f"night {night}'s pull", started, killed, "B", time.time())
        world.start_hub()

    def followed(self, night):
        """Night 2: the consumer follows from before the provider starts; hub A dies while both run."""
        world = self.world
        world.export_night(night)
        started = time.time()
        consumer = self.agent("consumer", ["--follow", "--follow-timeout", "120", "--pass-since", "now"])
        time.sleep(1)
        provider = self.agent("provider")
        length = self.calm[(night, "provider")] + self.calm[(night, "consumer")]
        killed = self.kill_during("A", [provider, consumer], length * 0.3, f"night {night} (consumer following)")
        self.finish([("provider", provider), ("consumer", consumer)], f"night {night} (consumer following)")
        self.check_served(f"night {night} (consumer following)", started, killed, "A", time.time())
        world.start_hub()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gx", required=True)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--payloads", choices=["postgres", "shared-files"], default="postgres",
                        help="where the hubs keep payloads: in the database (default), or one shared batch directory")
    parser.add_argument("--keep", help="keep the run's state in this directory")
    options = parser.parse_args()
    postgres_url = os.environ.get("GX_TEST_POSTGRES_URL", "")
    if not postgres_url:
        sys.exit("balancer: needs GX_TEST_POSTGRES_URL (scripts/balancer.sh starts a throwaway server)")
    if not os.path.exists(options.nginx):
        sys.exit(f"balancer: nginx not found at {options.nginx} (scripts/setup.sh installs nginx-light)")

    directory = pathlib.Path(options.keep or tempfile.mkdtemp(prefix="gx-balancer-"))
    directory.mkdir(parents=True, exist_ok=True)
    log(f"{options.rows} rows, seed {options.seed}, payloads {options.payloads}; state in {directory}")
    worlds = []
    try:
        reference = World("reference", directory, options.gx, "postgres", postgres_url, options.rows, options.seed)
        worlds.append(reference)
        balanced = BalancedWorld("balanced", directory, options.gx, postgres_url, options.rows, options.seed, options.nginx, options.payloads)
        worlds.append(balanced)
        reference.start_hub()
        reference.register()
        balanced.start_hub()
        balanced.start_nginx()
        balanced.register()

        calm = Campaign(reference)
        calm.nights(2)
        phases = dict(calm.worked)
        log(f"reference: {', '.join(f'night {n} {r} {s:.1f} s' for (n, r), s in calm.worked)}")

        night = Night(balanced, phases)
        started = time.monotonic()
        night.push_then_pull(1)
        night.followed(2)
        log(f"balanced: 2 nights in {time.monotonic() - started:.1f} s, hub kills {night.kills}")

        got, got_digest, last_sequence, lost, duplicated, problems = compare(reference, balanced)
        problems = night.problems + problems
        starts = {label: hub["starts"] for label, hub in balanced.hubs.items()}
        print(f"hub kills {len(night.kills)} ({'; '.join(f'{label} during {what}' for label, what in night.kills)}), hub starts {starts}, "
              f"consumer rows {len(got['rows'])} (SM3 {got_digest[:16]}…), batches {last_sequence}, agreement {AGREEMENT}")
        print(f"hub kills {len(night.kills)}, lost {lost}, duplicated {duplicated}")
        for problem in problems:
            print(f"  FAILED: {problem}")
        return 1 if problems or len(night.kills) < 3 else 0
    except Failure as failure:
        print(f"balancer: {failure}", file=sys.stderr)
        return 1
    finally:
        for world in worlds:
            try:
                world.kill_hub()
            except Exception:
                pass
        if len(worlds) > 1:
            worlds[1].stop_nginx()
        for world in worlds:
            subprocess.run(["psql", "-q", postgres_url, "-c", f'DROP DATABASE IF EXISTS "{world.database.rsplit("/", 1)[1].split("?")[0]}" WITH (FORCE)'],
                           capture_output=True)
        if not options.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
