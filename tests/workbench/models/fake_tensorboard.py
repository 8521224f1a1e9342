"""A stand-in for `python -m tensorboard.main` in the TensorBoard state tests: no TensorFlow.

Called as `fake_tensorboard.py -m tensorboard.main --logdir DIR --host H --port P ...`. With
`FAKE_TENSORBOARD=serve` (the default) it answers 200 on `http://H:P/` until ended; with
`FAKE_TENSORBOARD=exit:N` it prints why and exits with status N at once.
"""

import http.server
import os
import sys

mode = os.environ.get("FAKE_TENSORBOARD", "serve")
if mode.startswith("exit:"):
    print("E1206 fake tensorboard: cannot read the logdir", flush=True)
    sys.exit(int(mode.split(":", 1)[1]))
host = sys.argv[sys.argv.index("--host") + 1]
port = int(sys.argv[sys.argv.index("--port") + 1])


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"fake tensorboard")

    def log_message(self, *args):
        pass


http.server.HTTPServer((host, port), Answer).serve_forever()
