#!/usr/bin/env python3
"""Writes one agent configuration per agency for the quickstart: providers read the sample CSV exports
(`gx sample`), consumers apply into SQLite tables whose columns are named after the agreed items. For a
verification agreement (比对核实) the provider answers from the same export and mapping; the consumer checks
data/verify-RESOURCE.csv (the export's layout) once that file exists, its answers going to data/verified.sqlite.

usage: agent-configs.py STATE GX_BIN HUB_URL"""
import pathlib
import subprocess
import sys
import tomllib

state, gx, hub = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
root = pathlib.Path(__file__).resolve().parent.parent
catalogue = {}
for path in sorted((root / "Catalogue").glob("*.toml")):
    entry = tomllib.loads(path.read_text())
    catalogue[entry["resource_code"]] = entry
agreements = [tomllib.loads(p.read_text()) for p in sorted((root / "Agreements").glob("BJ-*.toml"))]
agencies = [a["code"] for a in tomllib.loads((root / "Agreements" / "agencies.toml").read_text())["agency"]]


def q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


for code in agencies:
    provides = [e for e in catalogue.values() if e["provider"] == code]
    consumes = [a for a in agreements if a["consumer"] == code and a.get("method") != "verification"]
    verifies = [a for a in agreements if a["consumer"] == code and a.get("method") == "verification"]
    answers = {a["resource"] for a in agreements if a["provider"] == code and a.get("method") == "verification"}
    if not provides and not consumes and not verifies:
        continue
    directory = state / "agents" / code
    (directory / "data").mkdir(parents=True, exist_ok=True)
    lines = [
        f"# Agent of {code}, written by scripts/agent-configs.py for the quickstart.",
        f"hub = {q(hub)}",
        f"agency = {q(code)}",
        f'token_file = "../../agencies/{code}.token"',
        f'key_file = "../../agencies/{code}.key"',
        'hub_key_file = "../../hub/hub.pub"',
        'state_dir = "state"',
        "",
    ]
    for entry in provides:
        resource = entry["resource_code"]
        mapping = subprocess.run([gx, "sample", "--resource", resource, "--print-mapping"], check=True,
                                 capture_output=True, text=True).stdout
        key_item = next(i["name"] for i in entry["items"] if i.get("key"))
        provide = tomllib.loads(mapping)["provide"]
        maps = (provide[0] if isinstance(provide, list) else provide)["map"]
        key_column = next(m["column"] for m in maps if m["item"] == key_item)
        lines += ["[[provide]]", f"resource = {q(resource)}", "batch_records = 2000", "[provide.source]", 'kind = "csv"',
                  f'path = "data/{resource}.csv"', f"key = [{q(key_column)}]", ""]
        lines += [l for l in mapping.splitlines() if not l.startswith("[[provide]]")]
        lines.append("")
        if resource in answers:
            lines += ["[[answer]]", f"resource = {q(resource)}", "[answer.source]", 'kind = "csv"', f'path = "data/{resource}.csv"',
                      f"key = [{q(key_column)}]", ""]
            lines += [l.replace("[[provide.map]]", "[[answer.map]]") for l in mapping.splitlines() if not l.startswith("[[provide]]")]
            lines.append("")
    for agreement in consumes:
        entry = catalogue[agreement["resource"]]
        key_item = next(i["name"] for i in entry["items"] if i.get("key"))
        lines += ["[[consume]]", f"agreement = {q(agreement['id'])}", "[consume.sink]", 'kind = "sqlite"', 'path = "data/received.sqlite"',
                  f"table = {q(agreement['resource'].replace('-', '_'))}", f"key = [{q(key_item)}]", "create = true", ""]
        for item in agreement["items"]:
            lines += ["[[consume.map]]", f"item = {q(item)}", f"column = {q(item)}", ""]
    for agreement in verifies:
        resource = agreement["resource"]
        if not (directory / "data" / f"verify-{resource}.csv").exists():
            continue
        mapping = subprocess.run([gx, "sample", "--resource", resource, "--print-mapping"], check=True,
                                 capture_output=True, text=True).stdout
        # The export's mapping, cut to the agreed items: each becomes a column of the answers too.
        blocks = mapping.split("[[provide.map]]")[1:]
        kept = [b for b in blocks if tomllib.loads(b)["item"] in agreement["items"]]
        key_item = next(i["name"] for i in catalogue[resource]["items"] if i.get("key"))
        key_column = next(tomllib.loads(b)["column"] for b in kept if tomllib.loads(b)["item"] == key_item)
        lines += ["[[verify]]", f"agreement = {q(agreement['id'])}", "[verify.source]", 'kind = "csv"', f'path = "data/verify-{resource}.csv"',
                  f"key = [{q(key_column)}]", "[verify.sink]", 'kind = "sqlite"', 'path = "data/verified.sqlite"',
                  f"table = {q(resource.replace('-', '_') + '_verified')}", f"key = [{q(key_column)}]", "create = true", ""]
        for block in kept:
            lines += ["[[verify.map]]"] + [l for l in block.strip().splitlines()] + [""]
    (directory / "agent.toml").write_text("\n".join(lines))
    print(directory / "agent.toml")
