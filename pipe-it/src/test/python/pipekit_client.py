#!/usr/bin/env python3
"""A pipekit client in Python, standard library only, written from docs/protocol.md.

Usage: pipekit_client.py [--name NAME | --socket PATH] [--encoding utf-16le|utf-8] [--listen N | --burst N] [MESSAGE ...]

Sends each MESSAGE (default: "Default message from client.") as one frame on one connection and
prints each reply on its own line. With --listen N it sends nothing: it prints "listening" on
stderr, then each of the next N messages the server pushes. With --burst N it connects N sockets
at once without blocking, as asyncio, Go and Node clients do, then makes one round trip on each
that connected, and prints "connected C of N" and "answered A of N".
Exits 0 on success, 1 with a one-line error otherwise.
"""
import argparse
import errno
import getpass
import os
import socket
import struct
import sys
import tempfile

HEADER = struct.Struct(">I")  # 4-byte big-endian unsigned length


def socket_path(name):
    """The socket path of a pipe name, as docs/protocol.md maps it."""
    if name.lower().startswith("\\\\.\\pipe\\"):
        name = name[len("\\\\.\\pipe\\"):]
    if name.startswith("/"):
        return name
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR")
    folder = os.path.join(runtime_dir, "pipekit") if runtime_dir else os.path.join(
        tempfile.gettempdir(), "pipekit-" + getpass.getuser())
    return os.path.join(folder, name + ".sock")


def encode(text, encoding):
    return (text + "\0").encode("utf-16-le") if encoding == "utf-16le" else text.encode("utf-8")


def decode(payload, encoding):
    if encoding == "utf-16le":
        text = payload.decode("utf-16-le")
        return text[:-1] if text.endswith("\0") else text
    return payload.decode("utf-8")


def recv_exactly(sock, count):
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection")
        data += chunk
    return bytes(data)


def receive(sock):
    (length,) = HEADER.unpack(recv_exactly(sock, HEADER.size))
    return recv_exactly(sock, length)


def transact(sock, payload):
    sock.sendall(HEADER.pack(len(payload)) + payload)
    return receive(sock)


def burst(path, count, encoding):
    """Connects count sockets without blocking, then one round trip on each; 0 if every one was answered."""
    connected = []
    for _ in range(count):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        result = sock.connect_ex(path)  # EAGAIN when the server's listen backlog is full
        if result in (0, errno.EINPROGRESS):
            connected.append(sock)
        else:
            sock.close()
    print(f"connected {len(connected)} of {count}", flush=True)
    answered = 0
    try:
        for i, sock in enumerate(connected):
            sock.settimeout(30)
            if decode(transact(sock, encode(f"burst {i}", encoding)), encoding) == f"burst {i}":
                answered += 1
    finally:
        for sock in connected:
            sock.close()
    print(f"answered {answered} of {count}", flush=True)
    return 0 if answered == count else 1


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--name", default="mynamedpipe")
    where.add_argument("--socket")
    parser.add_argument("--encoding", choices=["utf-16le", "utf-8"], default="utf-16le")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--listen", type=int, metavar="N", help="print the next N messages the server pushes")
    mode.add_argument("--burst", type=int, metavar="N", help="connect N sockets at once without blocking, then echo on each")
    parser.add_argument("messages", nargs="*", default=["Default message from client."])
    args = parser.parse_args(argv)
    path = args.socket or socket_path(args.name)
    try:
        if args.burst is not None:
            return burst(path, args.burst, args.encoding)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            if args.listen is not None:
                print("listening", file=sys.stderr, flush=True)
                for _ in range(args.listen):
                    print(decode(receive(sock), args.encoding), flush=True)
                return 0
            for message in args.messages:
                print(decode(transact(sock, encode(message, args.encoding)), args.encoding), flush=True)
    except (OSError, ConnectionError, UnicodeError) as e:
        print(f"pipekit_client.py: {path}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
