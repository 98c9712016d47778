#!/usr/bin/python3
# The peer of the benchmark: openstacksdk (Debian's python3-openstacksdk; run with /usr/bin/python3, the
# pyenv python cannot import it) attaching and detaching a volume the way its documentation shows, each
# operation followed by the SDK's own wait:
#
#   attach:  conn.compute.create_volume_attachment(server, volume_id=...)
#            conn.block_storage.wait_for_status(volume, status="in-use", failures=["error"], wait=...)
#   detach:  conn.compute.delete_volume_attachment(volume, server)
#            conn.block_storage.wait_for_status(volume, status="available", failures=["error"], wait=...)
#
# (openstack.cloud's attach_volume(wait=True) waits the same way.) wait_for_status polls GET volume at once,
# then every `interval` seconds: the SDK's default is 2 s (block_storage/v3/_proxy.py), used here unless
# --interval says otherwise. Each operation uses a new Connection, as a fresh process would: it
# authenticates and discovers versions once, like our provider in a fresh `pulumi up`.
#
# Prints one JSON line per operation: {"operation", "start", "end"} (epoch seconds). Credentials come from
# OS_* variables (openstack.connect reads them).
import argparse
import json
import sys
import time

import openstack


def connection():
    return openstack.connect()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--volume", required=True)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--interval", type=float, default=2.0, help="wait_for_status interval (SDK default 2)")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    def report(operation, start):
        print(json.dumps({"operation": operation, "start": start, "end": time.time()}), flush=True)

    for _ in range(args.iterations):
        start = time.time()
        conn = connection()
        volume = conn.block_storage.get_volume(args.volume)
        conn.compute.create_volume_attachment(args.server, volume_id=args.volume)
        conn.block_storage.wait_for_status(
            volume, status="in-use", failures=["error"], interval=args.interval, wait=args.timeout
        )
        report("create", start)

        start = time.time()
        conn = connection()
        volume = conn.block_storage.get_volume(args.volume)
        conn.compute.delete_volume_attachment(args.volume, args.server)
        conn.block_storage.wait_for_status(
            volume, status="available", failures=["error"], interval=args.interval, wait=args.timeout
        )
        report("delete", start)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # a failure is the benchmark's to report
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        sys.exit(1)
