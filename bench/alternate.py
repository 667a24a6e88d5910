#!/usr/bin/env python3
"""Times shell commands in alternation and writes their medians as hyperfine would.

    alternate.py JSON RUNS PREPARE COMMAND...

hyperfine runs all of one command's runs before the next command's, so a drift in the
machine's speed (other tenants, writeback, thermal) lands on one side of a ratio.
Here each round runs every command once, in an order that flips from round to round
(ABBA), after one warm-up round; PREPARE (a shell command, or "" for none) runs before
every timed command. The JSON holds {"results": [{"command", "median", "times"}]}.
"""
import json
import statistics
import subprocess
import sys
import time


def timed(command: str, prepare: str) -> float:
    if prepare:
        subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
    start = time.perf_counter()
    subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    out, runs, prepare, commands = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    for command in commands:  # warm-up
        timed(command, prepare)
    times = {command: [] for command in commands}
    for round_ in range(runs):
        order = commands if round_ % 2 == 0 else commands[::-1]
        for command in order:
            times[command].append(timed(command, prepare))
    results = [{"command": c, "median": statistics.median(times[c]), "times": times[c]} for c in commands]
    with open(out, "w") as f:
        json.dump({"results": results}, f, indent=1)


if __name__ == "__main__":
    main()
