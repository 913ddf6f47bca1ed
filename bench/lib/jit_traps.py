"""What the JIT threw away in a time window: uncommon traps and C2-compiled methods made not entrant.

usage: jit_traps.py COMPILATION_LOG START_UPTIME_S WINDOW_S

Reads a HotSpot -XX:+LogCompilation file (the JVM assembles it at exit). Each uncommon trap is shown
with its reason, the method and bytecode where it fired, and the compiled method it was in: that is the
code thrown away, which runs in the interpreter (or C1) until C2 compiles it again, on the same core
when the daemon is pinned to one. Ends with whether the event loop's read path was among them.
"""
import collections
import re
import sys

READ_PATH = "epollInReady"


def attr(line, name):
    # \b: "level" must not match the end of another attribute's name.
    m = re.search(r"\b" + name + r"='([^']*)'", line)
    return m.group(1) if m else None


def short(method_attr):
    # "io.netty.channel.ChannelInitializer initChannel (Lio/...;)Z" -> "ChannelInitializer::initChannel"
    parts = (method_attr or "?").split(" ")
    return parts[0].split(".")[-1] + "::" + (parts[1] if len(parts) > 1 else "?")


def main():
    log, start = sys.argv[1], float(sys.argv[2])
    end = start + float(sys.argv[3])
    lines = open(log, errors="replace").read().split("\n")
    compiled = {}
    for line in lines:
        if line.startswith(("<task ", "<nmethod ")):
            cid, method = attr(line, "compile_id"), attr(line, "method")
            if cid and method:
                compiled[cid] = short(method)
    traps = collections.Counter()
    thrown = []
    for i, line in enumerate(lines):
        stamp = attr(line, "stamp")
        if stamp is None or not start <= float(stamp) < end:
            continue
        if line.startswith("<uncommon_trap"):
            where = "?"
            if i + 1 < len(lines) and lines[i + 1].startswith("<jvms"):
                where = short(attr(lines[i + 1], "method") or "?")
            traps[(attr(line, "reason"), where, compiled.get(attr(line, "compile_id"), "?"))] += 1
        elif line.startswith("<make_not_entrant") and (attr(line, "compiler") == "c2" or attr(line, "level") == "4"):
            thrown.append(compiled.get(attr(line, "compile_id"), "?"))
    print(f"uncommon traps in {start:.3f}-{end:.3f} s: {sum(traps.values())}")
    for (reason, where, top), n in traps.most_common(25):
        print(f"  {n:3d}  {reason:34s} at {where:50s} in {top}")
    print(f"C2 code made not entrant: {len(thrown)}: {', '.join(sorted(set(thrown)))}")
    hit = any(READ_PATH in t for t in thrown)
    print(f"event loop read path ({READ_PATH}) thrown away: {'YES' if hit else 'no'}")


if __name__ == "__main__":
    main()
