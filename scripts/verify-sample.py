#!/usr/bin/env python3
"""Writes the records a consumer checks in a verification (比对核实) from a population export (`gx sample`
layout): the first 200 valid rows, with every 10th name planted wrong, 5 ID numbers the register lacks
(valid GB 11643 numbers born 1900-01-01) and every 20th row typed with full-width digits and padding, which
the mapping's normalisation turns back into the register's form.

usage: verify-sample.py REGISTER.csv OUT.csv"""
import csv
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def citizen_id(body):
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def valid(number):
    return len(number) == 18 and number[:17].isdigit() and citizen_id(number[:17]) == number


def fullwidth(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


with open(sys.argv[1], encoding="utf-8", newline="") as register:
    rows = list(csv.reader(register))
header, body = rows[0], rows[1:]
id_no, name, birth = header.index("id_no"), header.index("xm"), header.index("csrq")
chosen = [r for r in body if valid(r[id_no]) and len(r[birth]) == 8 and r[name].strip()][:200]
out = []
for index, row in enumerate(chosen):
    row = list(row)
    if index % 10 == 3:
        row[name] = row[name] + "某"
    if index % 20 == 7:
        row[id_no] = "\u3000" + fullwidth(row[id_no]) + " "
        row[name] = " " + row[name] + "\u3000"
    out.append(row)
for serial in range(1, 6):
    row = list(chosen[serial])
    row[id_no] = citizen_id("11010119000101%03d" % serial)
    row[birth] = "19000101"
    out.append(row)
with open(sys.argv[2], "w", encoding="utf-8", newline="") as target:
    writer = csv.writer(target)
    writer.writerow(header)
    writer.writerows(out)
