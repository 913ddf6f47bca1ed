"""Prints N distinct free TCP ports on 127.0.0.1, one per line.

All N sockets are bound (port 0) before any is closed, so the ports differ; another process may
still take one before the benchmark binds it, which the start-up check then reports.
"""
import socket
import sys


def main() -> None:
    count = int(sys.argv[1])
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        for s in sockets:
            print(s.getsockname()[1])
    finally:
        for s in sockets:
            s.close()


if __name__ == "__main__":
    main()
