"""Real TLS servers for the integration tests, each bound to 127.0.0.1 only.

A server is started from a spec (its configuration), waited for until its
port accepts connections, and always killed at teardown. The spec is also
what truth.py derives the expected scan result from, so the configuration a
server runs with and the facts a test expects come from one place.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

HOST = "127.0.0.1"
TOOLS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools")


class ToolMissing(Exception):
    pass


def require_tool(name):
    path = shutil.which(name) or (os.path.exists(name) and name)
    if not path:
        raise ToolMissing(
            "%s is not installed: run tools/setup (it installs every package the tests need)"
            % name
        )
    return path


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def free_port(host=HOST):
    with socket.socket(family(host), socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def host_port(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


class Process:
    """A child process in its own process group, killed (group and all) at stop()."""

    def __init__(self, args, what, env=None, cwd=None):
        self.what = what
        self.args = args
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=3)
        self.log.close()

    def wait_listening(self, port, timeout=15.0, host=HOST):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    "%s exited with %s before listening: %s\n(command: %s)"
                    % (self.what, self.proc.returncode, self.output()[-2000:], " ".join(self.args))
                )
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("%s did not listen on %s" % (self.what, host_port(host, port)))


class Server:
    """A running server: its spec, port and process."""

    def __init__(self, spec, port, process, workdir):
        self.spec = spec
        self.port = port
        self.process = process
        self.workdir = workdir

    @property
    def target(self):
        return host_port(self.spec.host, self.port)

    def stop(self):
        self.process.stop()


def start_openssl(spec, pki, workdir):
    """openssl s_server in -www mode (it never reads stdin, answers HTTP)."""
    require_tool("openssl")
    cred = pki.credential(spec.cert)
    port = free_port()
    args = ["openssl", "s_server", "-accept", "%s:%d" % (HOST, port), "-www",
            "-cert", cred.cert, "-key", cred.key]
    args += _openssl_version_flags(spec.versions)
    if spec.ciphers is not None:
        args += ["-cipher", spec.ciphers]
    if spec.ciphersuites is not None:
        args += ["-ciphersuites", spec.ciphersuites]
    if spec.groups is not None:
        args += ["-groups", spec.groups]
    if spec.dh_bits:
        args += ["-dhparam", pki.dhparam(spec.dh_bits)]
    if spec.server_order:
        args += ["-serverpref"]
    proc = Process(args, "openssl s_server (%s)" % spec.name)
    proc.wait_listening(port)
    return Server(spec, port, proc, workdir)


def _openssl_version_flags(versions):
    names = {"TLSv1.0": "TLSv1", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}
    order = ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
    present = [v for v in order if v in versions]
    if present != order[order.index(present[0]): order.index(present[-1]) + 1]:
        raise ValueError("openssl s_server needs a contiguous version range: %s" % versions)
    return ["-min_protocol", names[present[0]], "-max_protocol", names[present[-1]]]


NGINX_CONF = """\
user root;
worker_processes 1;
daemon off;
master_process on;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen {host}:{port} ssl;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols {protocols};
{extra}
        location / {{ return 200 "ok\\n"; }}
    }}
}}
"""


def start_nginx(spec, pki, workdir):
    nginx = require_tool("nginx")
    cred = pki.credential(spec.cert)
    port = free_port(spec.host)
    extra = []
    if spec.ciphers is not None:
        extra.append("ssl_ciphers '%s';" % spec.ciphers)
    extra.append("ssl_prefer_server_ciphers %s;" % ("on" if spec.server_order else "off"))
    if spec.ciphersuites is not None:
        extra.append("ssl_conf_command Ciphersuites %s;" % spec.ciphersuites)
    if spec.openssl_options is not None:
        extra.append("ssl_conf_command Options %s;" % spec.openssl_options)
    if spec.groups is not None:
        extra.append("ssl_ecdh_curve %s;" % spec.groups)
    if spec.dh_bits:
        extra.append("ssl_dhparam %s;" % pki.dhparam(spec.dh_bits))
    conf = NGINX_CONF.format(
        dir=workdir, host="[%s]" % spec.host if ":" in spec.host else spec.host, port=port, cert=cred.cert, key=cred.key,
        protocols=" ".join(spec.versions),
        extra="\n".join("        " + line for line in extra),
    )
    path = os.path.join(workdir, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    proc = Process([nginx, "-p", workdir, "-c", path, "-e", os.path.join(workdir, "error.log")],
                   "nginx (%s)" % spec.name)
    try:
        proc.wait_listening(port, host=spec.host)
    except RuntimeError as e:
        raise RuntimeError("%s\nerror.log: %s" % (e, _read(os.path.join(workdir, "error.log"))))
    return Server(spec, port, proc, workdir)


def _read(path):
    try:
        with open(path) as f:
            return f.read()[-2000:]
    except OSError:
        return "(none)"


def loopback_shim(workdir_root):
    """Builds tests/tools/loopback_bind.c once: gnutls-serv has no option for
    its listening address, so the shim pins its bind() to loopback."""
    so = os.path.join(workdir_root, "loopback_bind.so")
    if not os.path.exists(so):
        cc = require_tool("cc")
        subprocess.run([cc, "-shared", "-fPIC", "-o", so,
                        os.path.join(TOOLS_DIR, "loopback_bind.c"), "-ldl"],
                       check=True, capture_output=True)
    return so


def start_gnutls(spec, pki, workdir, shim):
    require_tool("gnutls-serv")
    cred = pki.credential(spec.cert)
    port = free_port()
    args = ["gnutls-serv", "--port", str(port), "--http", "--x509certfile", cred.cert,
            "--x509keyfile", cred.key, "--priority", spec.priority]
    if spec.dh_bits:
        args += ["--dhparams", pki.dhparam(spec.dh_bits)]
    env = dict(os.environ, LD_PRELOAD=shim)
    proc = Process(args, "gnutls-serv (%s)" % spec.name, env=env)
    proc.wait_listening(port)
    return Server(spec, port, proc, workdir)


def start_double(spec, pki, workdir):
    """tests/tools/recorded_server.py: a test double for SSLv2/SSLv3."""
    cred = pki.credential(spec.cert)
    port = free_port()
    args = ["/usr/bin/python3", os.path.join(TOOLS_DIR, "recorded_server.py"),
            "--host", HOST, "--port", str(port), "--cert", cred.cert]
    for proto in spec.versions:
        args += ["--protocol", proto]
    if spec.ciphers:
        args += ["--suites", spec.ciphers]
    if spec.sslv2_specs:
        args += ["--sslv2-specs", spec.sslv2_specs]
    proc = Process(args, "recorded_server.py (%s)" % spec.name)
    proc.wait_listening(port)
    return Server(spec, port, proc, workdir)


def start(spec, pki, workdir, shim=None):
    starters = {
        "openssl": lambda: start_openssl(spec, pki, workdir),
        "nginx": lambda: start_nginx(spec, pki, workdir),
        "gnutls": lambda: start_gnutls(spec, pki, workdir, shim),
        "double": lambda: start_double(spec, pki, workdir),
    }
    # A free port can be taken between probing and binding: retry once.
    try:
        return starters[spec.kind]()
    except RuntimeError:
        return starters[spec.kind]()
