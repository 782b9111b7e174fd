#!/usr/bin/env python3
"""qm9_server.py DIR PORT_FILE LOG_FILE — a scripted HTTP server on 127.0.0.1
for the qm9 end-to-end tests (python3 standard library only).

Serves the files of DIR; the first path component picks the behaviour:
  /ok/NAME          the file, honouring "Range: bytes=N-" with a 206
  /drop/NAME        first request: full-length headers, half the body, close;
                    later requests: as /ok/
  /stall/NAME       first request: headers, 1000 bytes, then silence (10 s);
                    later requests: as /ok/
  /slow/NAME        as /ok/ in 4 KiB pieces 20 ms apart
  /status/CODE/NAME an empty reply with that status
Writes the port it listens on to PORT_FILE and one line per request
("PATH RANGE_START", -1 without Range) to LOG_FILE. Stops on SIGTERM or
after 300 s."""
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

root, port_file, log_file = sys.argv[1:4]
seen = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        rng = self.headers.get("Range", "")
        start = int(rng[len("bytes="):].split("-")[0]) if rng.startswith("bytes=") else -1
        with lock:
            first = self.path not in seen
            seen[self.path] = True
            with open(log_file, "a") as log:
                log.write("%s %d\n" % (self.path, start))
        mode = parts[0]
        if mode == "status":
            self.send_response(int(parts[1]))
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        path = os.path.join(root, parts[-1])
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        with open(path, "rb") as f:
            data = f.read()
        if mode in ("drop", "stall") and first:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data[: len(data) // 2 if mode == "drop" else 1000])
            self.wfile.flush()
            if mode == "stall":
                time.sleep(10)
            self.close_connection = True
            return
        start = max(start, 0) if start < len(data) else 0
        if start > 0:
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Connection", "close")
        self.end_headers()
        body = data[start:]
        step = 4096 if mode == "slow" else len(body) or 1
        for i in range(0, len(body), step):
            self.wfile.write(body[i : i + step])
            if mode == "slow":
                self.wfile.flush()
                time.sleep(0.02)
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
threading.Timer(300, server.shutdown).start()
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
os._exit(0)
