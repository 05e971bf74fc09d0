#!/usr/bin/env python3
"""Rewrites one labelled scenario's addresses in a JSON Lines file so that each of its requests leaves from another
address of its provider's pool, as through a data-centre proxy service that rotates per request: the same accounts,
times, networks (ASNs) and prompts, no machine kept. A what-if on generate_traffic.py's output, for the campaign
kinds whose accounts keep an address each there. Standard library only.

    python3 benchmarks/independent/rotate_addresses.py --events /tmp/ind.jsonl --labels /tmp/ind.csv \\
        --scenario hydra_hosting_human --blocks 2048 --out /tmp/ind-rotating.jsonl

Each request of the scenario keeps the first octet of its address and gets a random /24 from the --blocks that follow
(the second octet moves over --blocks / 256 values from its own) and a random host in it. With --keep under 1, only
that share of the scenario's requests is written, drawn at random: the same campaign at a lower rate (--keep 0.33 turns
about 30 requests an account a day into about ten). --blocks 0 keeps the addresses as they are.
"""
import argparse
import csv
import random
import re

ACCOUNT = re.compile(r'"account_id":"([^"]+)"')
ADDRESS = re.compile(r'"ip":"(\d+)\.(\d+)\.\d+\.\d+"')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", required=True, help="JSON Lines written by generate_traffic.py")
    parser.add_argument("--labels", required=True, help="its labels CSV (account_id,label,scenario)")
    parser.add_argument("--scenario", required=True, help="the scenario whose requests rotate")
    parser.add_argument("--blocks", type=int, default=2048,
                        help="/24s in the pool (a multiple of 256, or 0 to keep addresses; default 2048)")
    parser.add_argument("--keep", type=float, default=1.0,
                        help="share of the scenario's requests written (default 1: all)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.blocks < 0 or args.blocks % 256:
        parser.error("--blocks must be a multiple of 256, or 0")
    if not 0 < args.keep <= 1:
        parser.error("--keep must be over 0 and at most 1")
    with open(args.labels, newline="") as f:
        accounts = {row["account_id"] for row in csv.DictReader(f) if row["scenario"] == args.scenario}
    if not accounts:
        parser.error("no account of scenario %s in %s" % (args.scenario, args.labels))
    rng = random.Random(args.seed)
    spread = args.blocks // 256
    rewritten = 0
    dropped = 0

    def rotate(match):
        second = (int(match.group(2)) + rng.randrange(spread)) % 256
        return '"ip":"%s.%d.%d.%d"' % (match.group(1), second, rng.randrange(256), rng.randrange(1, 255))

    with open(args.events) as src, open(args.out, "w") as out:
        for line in src:
            account = ACCOUNT.search(line)
            if account and account.group(1) in accounts:
                if args.keep < 1 and rng.random() >= args.keep:
                    dropped += 1
                    continue
                if spread:
                    line, n = ADDRESS.subn(rotate, line, count=1)
                    rewritten += n
            out.write(line)
    print("rewrote the address of %d requests of %d %s accounts, left out %d of their requests"
          % (rewritten, len(accounts), args.scenario, dropped))


if __name__ == "__main__":
    main()
