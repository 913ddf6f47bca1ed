"""Prints Fulcrum's view of a pool, from `GET /api/v1/pools/{pool}` JSON on stdin (SPEC section 7),
as one line: `effectiveWeight@cpu<cpuUtilization>` per backend, in the pool's order.
"""
import json
import sys


def main() -> None:
    pool = json.load(sys.stdin)
    print(" ".join(f"{b.get('effectiveWeight')}@cpu{(b.get('load') or {}).get('cpuUtilization')}"
                   for b in pool.get("backends", [])))


if __name__ == "__main__":
    main()
