#!/usr/bin/env python3
"""Reads every GET route of a loaded hub with real identifiers, as each role, and checks each answer against
the description: its status documented, its JSON valid against the response schema. schemathesis generates
mostly unknown identifiers, so this is where the schemas of real agreements, batches, demands and reports
are proven. Each GET route must answer 200 to at least one role.

Usage: api-responses.py DESCRIPTION_URL_OR_FILE HUB_URL ADMIN_TOKEN_FILE [OTHER_TOKEN_FILE ...]
"""
import datetime
import itertools
import json
import sys
import urllib.error
import urllib.request

import jsonschema
import yaml


def call(base, path, token):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Content-Type") or ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type") or ""


def main():
    source, base, token_files = sys.argv[1], sys.argv[2], sys.argv[3:]
    if source.startswith("http"):
        with urllib.request.urlopen(source, timeout=30) as response:
            spec = yaml.safe_load(response.read())
    else:
        with open(source, encoding="utf-8") as file:
            spec = yaml.safe_load(file)
    tokens = [open(path, encoding="utf-8").read().strip() for path in token_files]

    def listed(path, pick):
        status, body, _ = call(base, path, tokens[0])
        assert status == 200, f"GET {path} as admin answered {status}"
        return [pick(x) for x in json.loads(body)]

    agreements = listed("/v1/agreements", lambda x: x["terms"]["id"])
    agencies = listed("/v1/agencies", lambda x: x["code"])
    values = {
        "/v1/credentials/{kind}/{name}": [f"agency/{code}" for code in agencies],
        "/v1/agreements/{id}": agreements,
        "/v1/demands/{id}": listed("/v1/demands", lambda x: x["demand"]["id"]),
        "/v1/objections/{id}": listed("/v1/objections", lambda x: x["objection"]["id"]),
        "/v1/agencies/{code}": listed("/v1/agencies", lambda x: x["code"]),
        "/v1/resources/{code}": listed("/v1/catalogue", lambda x: x["resource_code"]),
        "/v1/catalogue/{code}": listed("/v1/catalogue", lambda x: x["resource_code"]),
    }
    today = datetime.date.today()
    queries = {"/v1/reports/compliance": f"?from={today - datetime.timedelta(days=7)}&to={today}", "/v1/audit": "?limit=50"}

    checked = failures = 0
    answered_ok = set()
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        prefix = next((p for p in values if path.startswith(p)), None)
        ids = values[prefix] if prefix else [None]
        sequences = ["1", "2"] if "{seq}" in path else [None]
        for identifier, sequence in itertools.product(ids, sequences):
            concrete = path
            if identifier is not None:
                concrete = concrete.replace("{kind}/{name}", identifier).replace("{id}", identifier).replace("{code}", identifier)
            if sequence is not None:
                concrete = concrete.replace("{seq}", sequence)
            concrete += queries.get(path, "")
            for token in tokens:
                status, body, content_type = call(base, concrete, token)
                response = operation["responses"].get(str(status))
                if response is None:
                    failures += 1
                    print(f"api-responses: GET {concrete} answered {status}, undocumented: {body[:200]!r}")
                    continue
                if status == 200:
                    answered_ok.add(path)
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema is None or not content_type.startswith("application/json"):
                    continue
                checked += 1
                try:
                    jsonschema.validate(json.loads(body), {**schema, "components": spec["components"]},
                                        cls=jsonschema.Draft202012Validator)
                except jsonschema.ValidationError as error:
                    failures += 1
                    print(f"api-responses: GET {concrete} ({status}) breaks its schema at {list(error.absolute_path)}: {error.message[:300]}")
    gets = {p for p, o in spec["paths"].items() if "get" in o}
    for path in sorted(gets - answered_ok):
        failures += 1
        print(f"api-responses: GET {path} answered 200 to no role with the loaded identifiers")
    print(f"api-responses: {len(answered_ok)} GET routes answered 200, {checked} JSON answers checked against their schemas, {failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
