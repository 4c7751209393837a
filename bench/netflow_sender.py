#!/usr/bin/env python3
"""Paced IPFIX sender for bench/netflow.sh: sends one template, then data messages of RECORDS flow records each at
RATE flow records per second for SECONDS, re-sending the template every second (as exporters do). Prints the
number of flow records sent. Records vary their addresses and ports so that nothing downstream can cache them."""
import socket
import struct
import sys
import time

host, port, rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
RECORDS = 30
DOMAIN = 1
TEMPLATE_ID = 256
# sourceIPv4Address, destinationIPv4Address, sourceTransportPort, destinationTransportPort, protocolIdentifier,
# octetDeltaCount(8), packetDeltaCount(8), flowStartMilliseconds, flowEndMilliseconds, tcpControlBits, ingressInterface
FIELDS = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8), (152, 8), (153, 8), (6, 2), (10, 4)]
RECORD = struct.Struct("!IIHHBQQQQHI")


def message(sequence, sets):
    body = b"".join(sets)
    return struct.pack("!HHIII", 10, 16 + len(body), int(time.time()), sequence, DOMAIN) + body


def set_(set_id, content):
    return struct.pack("!HH", set_id, 4 + len(content)) + content


template = set_(2, struct.pack("!HH", TEMPLATE_ID, len(FIELDS)) + b"".join(struct.pack("!HH", i, l) for i, l in FIELDS))
now_ms = int(time.time() * 1000)
# A pool of pre-built data sets, so that the send loop only stamps the header.
pool = []
for p in range(64):
    records = b"".join(RECORD.pack(0x0A000000 + p * RECORDS + i, 0xC0A80000 + i, 1024 + p, 443, 6, 1500 * (i + 1),
                                   i + 1, now_ms - 1000, now_ms, 0x1B, 3) for i in range(RECORDS))
    pool.append(set_(TEMPLATE_ID, records))

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
target = (host, port)
sequence = 0
sock.sendto(message(sequence, [template]), target)
messages_per_second = rate / RECORDS
start = time.perf_counter()
sent = 0
next_template = 1.0
while True:
    elapsed = time.perf_counter() - start
    if elapsed >= seconds:
        break
    if elapsed >= next_template:
        sock.sendto(message(sequence, [template]), target)
        next_template += 1.0
    due = int(elapsed * messages_per_second) + 1
    while sent < due:
        sock.sendto(message(sequence, [pool[sent % len(pool)]]), target)
        sequence = (sequence + RECORDS) & 0xFFFFFFFF
        sent += 1
    if sent >= due:
        time.sleep(0.0005)
print(sent * RECORDS)
