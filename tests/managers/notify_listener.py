"""Receives sd_notify datagrams on a unix socket and prints each one on its own line.

Usage: notify_listener.py SOCKET SECONDS. Creates SOCKET and exits SECONDS after the last
datagram, so that a check can read what a manager sent to its NOTIFY_SOCKET.
"""
import os
import socket
import sys


def main():
    path, seconds = sys.argv[1], float(sys.argv[2])
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(seconds)
    try:
        while True:
            print(listener.recv(4096).decode(errors="replace"), flush=True)
    except socket.timeout:
        pass


if __name__ == "__main__":
    main()
