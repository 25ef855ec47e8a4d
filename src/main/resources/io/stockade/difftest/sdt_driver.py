# Stockade difftest packet driver (stdlib only). One JSON request per stdin line, one JSON reply
# per stdout line. It opens AF_PACKET sockets inside the namespaces it is given (setns per call,
# then back), injects frames on a peer, waits for barrier frames so the kernel has finished with
# the packet, and returns what every peer received. All waits are bounded.
import array, ctypes, errno, fcntl, json, os, select, socket, struct, subprocess, sys, time

ETH_P_ALL = 0x0003
BARRIER = 0x88b5
PACKET_OUTGOING = 4
libc = ctypes.CDLL(None, use_errno=True)
home_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
peers = {}      # name -> peer-side socket (in the peer namespace)
gwside = {}     # name -> gateway-side socket (in the gateway namespace)
raw = {}        # 4/6 -> raw IP socket in the gateway namespace
gw_ns = None
nonce = 0
kmsg = None     # /dev/kmsg, positioned after the records that existed at setup
log_tag = None  # only kernel log records containing this text are returned


def enter(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, 0) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def leave():
    if libc.setns(home_ns, 0) != 0:
        raise OSError(ctypes.get_errno(), "setns home")


def tx_checksum_off(ns, ifname):
    """ethtool -K IF tx off: the gateway then sends full checksums, not CHECKSUM_PARTIAL stubs the
    capture would see. Returns None or the error text."""
    enter(ns)
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            ecmd = array.array("B", struct.pack("II", 0x17, 0))  # ETHTOOL_STXCSUM, off
            ifr = struct.pack("16sP", ifname.encode(), ecmd.buffer_info()[0])
            fcntl.ioctl(s.fileno(), 0x8946, ifr)  # SIOCETHTOOL
            return None
        except OSError as e:
            return ifname + ": " + e.strerror
        finally:
            s.close()
    finally:
        leave()


def packet_socket(ns, ifname):
    enter(ns)
    try:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((ifname, 0))
        s.setblocking(False)
        return s
    finally:
        leave()


def drain(s):
    out = []
    while True:
        try:
            data, addr = s.recvfrom(65535)
        except BlockingIOError:
            return out
        if addr[2] != PACKET_OUTGOING:
            out.append((data, addr))


def barrier_frame(src_mac, n):
    return b"\xff" * 6 + src_mac + struct.pack("!H", BARRIER) + struct.pack("!Q", n) + b"\0" * 38


def wait_barrier(s, n, deadline, keep):
    """Reads s until the barrier n arrives (True) or the deadline passes (False); other frames go to keep."""
    want = struct.pack("!HQ", BARRIER, n)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return False
        for data, addr in drain(s):
            if data[12:22] == want:
                return True
            if struct.unpack("!H", data[12:14])[0] != BARRIER and keep is not None:
                keep.append(data)


def read_kmsg():
    """The kernel log records written since the last call that carry log_tag, as "PRI;TEXT"."""
    out = []
    if kmsg is None:
        return out
    for _ in range(100000):
        try:
            rec = os.read(kmsg, 16384)
        except BlockingIOError:
            break
        except BrokenPipeError:  # records were overwritten before we read them; go on with the next
            continue
        head, _, rest = rec.decode("utf-8", "replace").partition(";")
        text = rest.split("\n", 1)[0]
        if log_tag and log_tag in text:
            out.append(head.split(",", 1)[0] + ";" + text)
    return out


def sentinel_frame(dst_mac, src_mac, n):
    """IPv4 protocol 253 from 198.18.0.1, ID n: the gateway's sdt_ct chain traces and drops it
    before defrag, conntrack and every iptables table, so it only marks a point in the trace."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20, n & 0xffff, 0, 64, 253, 0,
                    socket.inet_aton("198.18.0.1"), socket.inet_aton("198.18.0.2"))
    c = 0
    for i in range(0, 20, 2):
        c += (h[i] << 8) | h[i + 1]
    c = (c & 0xffff) + (c >> 16)
    c = (c & 0xffff) + (c >> 16)
    h = h[:10] + struct.pack("!H", ~c & 0xffff) + h[12:]
    return dst_mac + src_mac + b"\x08\x00" + h


def cmd_sentinel(req):
    s = peers[req["via"]]
    s.send(sentinel_frame(bytes.fromhex(req["dst"]), bytes.fromhex(req["src"]), req["n"]))
    return {"ok": True}


def cmd_setup(req):
    global gw_ns, kmsg, log_tag
    gw_ns = req["gw"]
    log_tag = req.get("logTag")
    if log_tag:
        kmsg = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        os.lseek(kmsg, 0, os.SEEK_END)
    errors = []
    for name in list(req["links"]) + ["lo"]:
        e = tx_checksum_off(req["gw"], name)
        if e:
            errors.append(e)
    for name, p in req["links"].items():
        peers[name] = packet_socket(p["peerNs"], p["peerIf"])
        gwside[name] = packet_socket(gw_ns, name)
    # the gateway's loopback: what it sends to itself (REJECT answers to its own packets)
    peers["lo"] = packet_socket(gw_ns, "lo")
    enter(gw_ns)
    try:
        raw[4] = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        raw[6] = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        raw[6].setsockopt(socket.IPPROTO_IPV6, 36, 1)  # IPV6_HDRINCL
    finally:
        leave()
    return {"ok": True, "warnings": errors}


def cmd_packet(req):
    """Injects one packet and collects what each peer received because of it."""
    global nonce
    for s in peers.values():
        drain(s)
    for s in gwside.values():
        drain(s)
    data = bytes.fromhex(req["hex"])
    via = req["via"]
    t = time.time_ns()
    err = None
    if via == "local":
        fam = 4 if (data[0] >> 4) == 4 else 6
        dst = socket.inet_ntop(socket.AF_INET if fam == 4 else socket.AF_INET6, data[16:20] if fam == 4 else data[24:40])
        try:
            raw[fam].sendto(data, (dst, 0))
        except OSError as e:
            # EPERM is netfilter dropping the packet in OUTPUT (NF_DROP reaches the sender as -EPERM):
            # an answer, not a failure.
            if e.errno != errno.EPERM:
                err = "sendto: " + e.strerror
    else:
        s = peers[via]
        s.send(data)
        nonce += 1
        deadline = time.monotonic() + 1.0
        s.send(barrier_frame(data[6:12], nonce))
        if not wait_barrier(gwside[via], nonce, deadline, None):
            err = "ingress barrier lost"
    out = {}
    nonce += 1
    deadline = time.monotonic() + 1.0
    for name, g in gwside.items():
        g.send(barrier_frame(b"\x02\0\0\0\0\xfe", nonce))
    peers["lo"].send(barrier_frame(b"\x02\0\0\0\0\xfd", nonce))
    for name, s in peers.items():
        got = []
        if not wait_barrier(s, nonce, deadline, got):
            err = "egress barrier lost on " + name
        out[name] = [d.hex() for d in got]
    return {"ok": True, "t": t, "out": out, "err": err, "log": read_kmsg()}


def cmd_exec(req):
    enter(req.get("ns", gw_ns))
    try:
        p = subprocess.run(req["argv"], input=req.get("stdin", ""), capture_output=True, text=True, timeout=30)
    finally:
        leave()
    return {"ok": True, "rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}


def main():
    for line in sys.stdin:
        req = json.loads(line)
        try:
            rep = {"setup": cmd_setup, "packet": cmd_packet, "exec": cmd_exec, "sentinel": cmd_sentinel}[req["op"]](req)
        except Exception as e:  # reported to the Java side, which fails the case with the message
            rep = {"ok": False, "error": type(e).__name__ + ": " + str(e)}
        sys.stdout.write(json.dumps(rep) + "\n")
        sys.stdout.flush()


main()
