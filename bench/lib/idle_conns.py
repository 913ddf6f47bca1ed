"""Opens N keep-alive client connections to a proxy and holds them idle.

Each connection sends one `GET /` and reads the whole answer first, so the proxy has a complete
HTTP/1.1 client connection in its idle keep-alive state (the state whose memory cost is being
measured), not a half-open socket. When every connection is ready the script writes the number
ready to READY_FILE and then holds them, idle, until it is killed or HOLD seconds pass.

usage: idle_conns.py HOST PORT N READY_FILE HOLD_SECONDS
"""
import asyncio
import resource
import sys

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: fulcrum-bench-idle\r\n\r\n"
# At most this many connections are being opened at once, so a one-thread proxy's accept backlog
# never overflows (an overflow costs a one-second SYN retransmit, not memory).
OPENING_AT_ONCE = 100


async def open_one(host, port, gate, held):
    async with gate:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        if length:
            await reader.readexactly(length)
        held.append(writer)


async def main() -> int:
    host, port, count, ready_file, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(
        sys.argv[5])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 64), hard))
    gate = asyncio.Semaphore(OPENING_AT_ONCE)
    held = []
    results = await asyncio.gather(*(open_one(host, port, gate, held) for _ in range(count)),
                                   return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        print(f"idle_conns: {len(failures)} of {count} connections failed, first: {failures[0]!r}",
              file=sys.stderr)
    with open(ready_file, "w", encoding="ascii") as f:
        f.write(f"{len(held)}\n")
    await asyncio.sleep(hold)
    for writer in held:
        writer.close()
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
