#!/usr/bin/env python3
"""Validate dataset.json (Sambruk 2023) against its own rules and the SCB table.

Usage: python3 check.py [path/to/dataset.json]
Standard library only. Exits 1 on any error; warnings (counts that differ from the
annual report) do not fail the run.
"""
import csv
import json
import os
import re
import sys
from datetime import date

HERE = os.path.dirname(os.path.abspath(__file__))
DATASET = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "dataset.json")
SCB_CSV = os.path.join(HERE, "..", "scb", "scb-folkmangd-kommuner-2013-2023.csv")
REGIONS_CSV = os.path.join(HERE, "..", "scb", "regions-2023.csv")

REPORT_COUNT = {"2023-01-01": 140, "2023-12-31": 145}  # annual report 2023, §3
REPORT_JOINED_2023 = {"Haparanda", "Kungälv", "Lysekil", "Partille", "Skurup", "Uppvidinge", "Växjö"}
REPORT_LEFT_2023 = {"Katrineholm", "Norrtälje"}
KINDS = {"municipality", "region", "federation", "organisation"}
ORGNR_RE = re.compile(r"^\d{6}-\d{4}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def luhn_ok(orgnr):
    digits = [int(c) for c in orgnr.replace("-", "")]
    total = 0
    for i, d in enumerate(digits[:9]):
        if i % 2 == 0:  # d1, d3, d5, d7, d9
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == digits[9]


def parse_date(value, where):
    if not isinstance(value, str) or not DATE_RE.match(value):
        err(f"{where}: not an ISO date: {value!r}")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        err(f"{where}: invalid date {value!r}")
        return None


def is_member_on(m, day):
    """Member on `day` iff joined <= day and (no left date or left > day).
    `left` is the effective exit date: the first day the body is no longer a member."""
    joined = date.fromisoformat(m["joined"])
    left = date.fromisoformat(m["left"]) if m["left"] else None
    return joined <= day and (left is None or left > day)


def main():
    with open(DATASET, encoding="utf-8") as f:
        data = json.load(f)
    with open(SCB_CSV, encoding="utf-8") as f:
        scb = {}
        for row in csv.DictReader(f):
            scb.setdefault(row["code"], {})[row["year"]] = (row["name"], int(row["population"]))
    with open(REGIONS_CSV, encoding="utf-8") as f:
        lan_codes = {row["code"] for row in csv.DictReader(f)}

    members = data.get("members", [])
    services = data.get("services", [])
    by_orgnr = {}
    kommunkoder = {}
    real = synthetic = 0

    for i, m in enumerate(members):
        where = f"member[{i}] {m.get('name')!r}"
        if m.get("kind") not in KINDS:
            err(f"{where}: bad kind {m.get('kind')!r}")
        orgnr = m.get("orgnr")
        if not isinstance(orgnr, str) or not ORGNR_RE.match(orgnr):
            err(f"{where}: orgnr not NNNNNN-NNNN: {orgnr!r}")
        else:
            if not luhn_ok(orgnr):
                err(f"{where}: orgnr {orgnr} fails the Luhn check")
            if orgnr in by_orgnr:
                err(f"{where}: orgnr {orgnr} duplicates {by_orgnr[orgnr]['name']!r}")
            by_orgnr[orgnr] = m
            if m.get("orgnrSource") == "synthetic":
                synthetic += 1
                if not orgnr.startswith("802999-"):
                    err(f"{where}: synthetic orgnr outside the 802999 range")
            elif m.get("orgnrSource"):
                real += 1
                if orgnr.startswith("802999-"):
                    err(f"{where}: 802999 number not marked synthetic")
            else:
                err(f"{where}: orgnrSource missing")
        kk = m.get("kommunkod")
        if m.get("kind") == "municipality":
            if not kk:
                err(f"{where}: municipality without kommunkod")
            elif kk not in scb:
                err(f"{where}: kommunkod {kk} not in the SCB table")
            elif kk in kommunkoder:
                err(f"{where}: kommunkod {kk} duplicates {kommunkoder[kk]!r}")
            else:
                kommunkoder[kk] = m["name"]
                if "2023" not in scb[kk] or "2022" not in scb[kk]:
                    err(f"{where}: no SCB population for 2022/2023")
        elif kk is not None:
            err(f"{where}: kommunkod set on a {m.get('kind')}")
        if m.get("kind") == "region" and m.get("lanskod") not in lan_codes:
            err(f"{where}: region without a valid lanskod (regions-2023.csv)")
        covers = m.get("covers")
        if m.get("kind") == "federation":
            if not covers:
                err(f"{where}: federation without covers")
        elif covers is not None:
            err(f"{where}: covers set on a {m.get('kind')}")
        for c in covers or []:
            if c not in scb:
                err(f"{where}: covered kommunkod {c} not in the SCB table")
        j = parse_date(m.get("joined"), f"{where}.joined")
        l = parse_date(m.get("left"), f"{where}.left") if m.get("left") is not None else None
        if j and l and l <= j:
            err(f"{where}: left {l} not after joined {j}")
        if (m.get("left") is None) != (m.get("leftReason") is None):
            err(f"{where}: left and leftReason must be set together")
        if not m.get("source"):
            err(f"{where}: source missing")

    # joins and exits in 2023 compared with the report's lists
    def short(m):
        n = m["name"]
        for suffix in (" kommun", " stad", " Stad"):
            if n.endswith(suffix):
                n = n[: -len(suffix)]
        if n.endswith("s") and n[:-1] in REPORT_JOINED_2023 | REPORT_LEFT_2023:
            n = n[:-1]
        return n

    joined_2023 = {short(m) for m in members if m["joined"].startswith("2023")}
    left_2023 = {short(m) for m in members if m.get("left") and m["left"].startswith("2023")}
    if joined_2023 != REPORT_JOINED_2023:
        err(f"joined in 2023 {sorted(joined_2023)} != report {sorted(REPORT_JOINED_2023)}")
    if left_2023 != REPORT_LEFT_2023:
        err(f"left in 2023 {sorted(left_2023)} != report {sorted(REPORT_LEFT_2023)}")
    for m in members:
        if m.get("left") and m.get("leftReason") != "ingen tjänst":
            err(f"{m['name']!r}: leftReason should be 'ingen tjänst'")

    # services and participants
    participant_total = 0
    seen_ids = set()
    for s in services:
        sid = s.get("id")
        if sid in seen_ids:
            err(f"service {sid!r} duplicated")
        seen_ids.add(sid)
        for k in ("name", "area", "participants"):
            if not s.get(k) and k != "participants":
                err(f"service {sid!r}: {k} missing")
        for p_i, p in enumerate(s.get("participants", [])):
            participant_total += 1
            where = f"service {sid!r} participant[{p_i}]"
            m = by_orgnr.get(p.get("member"))
            if m is None:
                err(f"{where}: member {p.get('member')!r} is not an orgnr in members")
                continue
            d = parse_date(p.get("from"), f"{where}.from")
            if d and not is_member_on(m, d):
                err(f"{where}: {m['name']!r} is not a member on {d}")
            for c in p.get("covers") or []:
                if c not in scb:
                    err(f"{where}: covered kommunkod {c} not in the SCB table")
            if not p.get("source"):
                err(f"{where}: source missing")

    # summary
    print(f"dataset: {os.path.relpath(DATASET)}")
    kinds = {}
    for m in members:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    print(f"members listed: {len(members)} " + str(dict(sorted(kinds.items()))))
    print(f"orgnr: {real} real (with source), {synthetic} synthetic (802999-range); Luhn checked on all {len(members)}")
    print(f"kommunkod: {len(kommunkoder)} municipalities matched to SCB; "
          f"covered codes checked: {sum(len(m.get('covers') or []) for m in members) + sum(len(p.get('covers') or []) for s in services for p in s['participants'])}")
    for day, expected in REPORT_COUNT.items():
        n = sum(is_member_on(m, date.fromisoformat(day)) for m in members)
        munis = sum(is_member_on(m, date.fromisoformat(day)) for m in members if m["kind"] == "municipality")
        line = f"members on {day}: {n} ({munis} municipalities + {n - munis} others); report says {expected}"
        if n != expected:
            line += f" -> gap {expected - n} (members the report counts but does not name)"
            warnings.append(f"{day}: listed {n} vs report {expected}")
        print(line)
    print(f"joined in 2023: {', '.join(sorted(joined_2023))}")
    print(f"left in 2023: {', '.join(sorted(left_2023))}")
    print(f"services: {len(services)}, participants: {participant_total}")
    for s in services:
        covered = sum(len(p["covers"]) for p in s["participants"] if p.get("covers"))
        extra = f", covering {covered} municipalities" if covered else ""
        modules = sorted({p["module"] for p in s["participants"] if p.get("module")})
        extra += f", modules {modules}" if modules else ""
        print(f"  {s['id']}: {len(s['participants'])} participants{extra}")
    for w in warnings:
        print(f"WARNING: {w}")
    if errors:
        for e in errors:
            print(f"ERROR: {e}")
        print(f"FAILED: {len(errors)} error(s)")
        return 1
    print("OK: no errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
