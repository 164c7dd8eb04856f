#!/usr/bin/env python3
"""Holds the deployment examples to what they claim.

For every health check in Dockerfile.example, examples/Dockerfile.scratch,
examples/Dockerfile.wait, examples/kubernetes.yaml and
examples/kubernetes-init.yaml it checks that:
- it runs /usr/local/bin/healthprobe in exec form (no shell in these images);
- the runtime's timeout is longer than healthprobe's own --timeout, so the
  runtime never kills the probe before it can print its line;
- the very same arguments, pointed at a live server on loopback, exit 0.

The waiting examples (the entrypoint of Dockerfile.wait, the init container
of kubernetes-wait.yaml) run with their targets pointed at live servers: they
exit 0 and run their command; pointed at a closed port, with the wait cut to
1 s, they exit 1 and do not.

The Compose files are not here: tests/system/compose.rs runs them, unchanged,
under Compose v2.

The gRPC examples (examples/Dockerfile.grpc, examples/kubernetes-grpc.yaml)
are held to the same three rules, their grpc:// targets pointed at the gRPC
health server given with --grpc-server PATH: a binary that takes
`--listen 127.0.0.1:0 [--require-token TOKEN]`, prints
`listening on 127.0.0.1:PORT` and answers SERVING for "" and
"orders.v1.Orders" (target/interop/bin/go-health-server, built by
`bash .ci/interop`). A probe that sends `${TOKEN}` runs against a server
started with --require-token and TOKEN set in its environment, so exit 0
proves the metadata reached the server; with a wrong TOKEN it must exit 1.
Dockerfile.grpc's commented drop-in (healthprobe copied as
grpc_health_probe) is run too, from a copy under that name. Without
--grpc-server these live checks fail when CI is set and are skipped, saying
so, otherwise.

With --app-python PYTHON (a Python with examples/app/requirements.txt
installed) it also runs the example FastAPI app under gunicorn, bound to
loopback, and probes it with Dockerfile.example's health check: healthy while
/storage is writable, unhealthy (exit 1) when it is not.

Usage: check_examples.py HEALTHPROBE HEALTH_SERVER [--grpc-server PATH] [--app-python PYTHON]
"""

import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROBE = "/usr/local/bin/healthprobe"
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok: {what}")
    else:
        failed += 1
        print(f"FAILED: {what}")


def seconds(text):
    """A duration as healthprobe, Docker and Compose write it: 3s, 500ms, 1m."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)?", str(text))
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]
    return float(m.group(1)) * scale


def probe_timeout(argv):
    for i, arg in enumerate(argv):
        if arg in ("-t", "--timeout"):
            return seconds(argv[i + 1])
        if arg.startswith("--timeout="):
            return seconds(arg.split("=", 1)[1])
    return 2.0  # healthprobe's default


def dockerfile_healthchecks(path, commented=False):
    """(runtime timeout, argv) for each HEALTHCHECK in a Dockerfile; with
    commented, for each one shown in a comment (`#   HEALTHCHECK ...`)."""
    text = path.read_text()
    if commented:
        text = "\n".join(line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#"))
    text = text.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if not line.startswith("HEALTHCHECK"):
            continue
        options, _, command = line.partition(" CMD ")
        shown = f"{path.name} (commented)" if commented else path.name
        check(command.strip().startswith("["), f"{shown}: HEALTHCHECK is in exec form")
        m = re.search(r"--timeout=(\S+)", options)
        found.append((seconds(m.group(1)) if m else 30.0, json.loads(command)))
    return found


def kubernetes_probes(path):
    found = []
    for doc in yaml.safe_load_all(path.read_text()):
        pod = doc["spec"]["template"]["spec"]
        for init in pod.get("initContainers", []):
            # The probe placed in a shared volume by `healthprobe install`.
            mount = next(m["mountPath"] for m in init["volumeMounts"])
            check(init["args"] == ["install", mount], f"{path.name}: init container installs into {mount}")
            app_mounts = [m for c in pod["containers"] for m in c["volumeMounts"] if m["mountPath"] == mount]
            check(all(m.get("readOnly") for m in app_mounts) and app_mounts, f"{path.name}: the app mounts {mount} read-only")
        sc = pod["securityContext"]
        check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 65532, f"{path.name}: runs as 65532, non-root")
        for container in pod["containers"] + pod.get("initContainers", []):
            csc = container["securityContext"]
            check(csc.get("readOnlyRootFilesystem") is True, f"{path.name}: {container['name']} has a read-only root filesystem")
        for container in pod["containers"]:
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                probe = container.get(kind)
                if probe is None:
                    continue
                found.append((float(probe["timeoutSeconds"]), probe["exec"]["command"]))
    return found


def localize(args, target, schemes=("http", "tcp")):
    """args with every target of these schemes given its host and port."""
    pattern = rf"^({'|'.join(schemes)})://[^/]+"
    return [re.sub(pattern, lambda m: f"{m.group(1)}://{target}", a) for a in args]


def run_probe(healthprobe, argv, target, schemes=("http", "tcp"), env=None):
    """Runs argv[1:] with the targets' hosts and ports replaced by target."""
    args = localize(argv[1:], target, schemes)
    done = subprocess.run([healthprobe, *args], capture_output=True, text=True, timeout=30, env=env or {})
    return done.returncode, (done.stdout + done.stderr).strip()


def dockerfile_entrypoint(path):
    for line in path.read_text().replace("\\\n", " ").splitlines():
        if line.startswith("ENTRYPOINT"):
            command = line.removeprefix("ENTRYPOINT").strip()
            check(command.startswith("["), f"{path.name}: ENTRYPOINT is in exec form")
            return json.loads(command)
    raise ValueError(f"{path.name} has no ENTRYPOINT")


def check_waiting(healthprobe, source, argv, live, dead):
    """A --wait command: against live servers it runs its command (replaced by
    one that prints 'started'); against a closed port it exits 1 without."""
    check("--wait" in argv, f"{source}: waits (--wait)")
    probe_args = argv[1:]
    if "--" in probe_args:
        probe_args = probe_args[: probe_args.index("--")]
    started = [sys.executable, "-c", "print('started')"]
    for target, want in ((live, 0), (dead, 1)):
        args = localize(probe_args, target)
        if want == 1:
            args[args.index("--wait") + 1] = "1s"
        done = subprocess.run([healthprobe, *args, "--", *started], capture_output=True, text=True, timeout=90, env={})
        ran = done.stdout.strip().endswith("started")
        output = (done.stdout + done.stderr).strip().replace("\n", " | ")
        check(done.returncode == want and ran == (want == 0), f"{source}: waiting for {target} -> exit {done.returncode}, command ran: {ran}: {output}")


def kubernetes_waits(path):
    """The args of each init container that waits (its image's ENTRYPOINT is
    healthprobe), after the pod's security settings are checked."""
    found = []
    for doc in yaml.safe_load_all(path.read_text()):
        pod = doc["spec"]["template"]["spec"]
        sc = pod["securityContext"]
        check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 65532, f"{path.name}: runs as 65532, non-root")
        for init in pod.get("initContainers", []):
            check(init["securityContext"].get("readOnlyRootFilesystem") is True, f"{path.name}: {init['name']} has a read-only root filesystem")
            found.append([PROBE, *init["args"]])
    return found


class Server:
    """A server in its own process group, so that stopping it also stops the
    workers it forked (gunicorn's outlive a killed master). Without a port it
    is started on port 0 and must say `listening on 127.0.0.1:PORT`."""

    def __init__(self, cmd, port=None, env=None):
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=subprocess.DEVNULL if port else subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        if port is None:
            self.address = self.listening(cmd, deadline)
            return
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{cmd[0]} did not start on port {port}")

    def listening(self, cmd, deadline):
        """The address from the server's first line. Its stdout stays open:
        a Go program writing to a closed pipe would die of SIGPIPE."""
        ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
        line = self.proc.stdout.readline().decode(errors="replace").strip() if ready else ""
        m = re.fullmatch(r"listening on (127\.0\.0\.1:\d+)", line)
        if not m:
            self.stop()
            raise RuntimeError(f"{cmd[0]} said {line!r}, not 'listening on 127.0.0.1:PORT'")
        return m.group(1)

    def stop(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)


def kubernetes_secret_variables(path):
    """Every ${NAME} in a probe's command is the container's own variable
    from a Secret, and no $(NAME) is left for the kubelet to expand into the
    command line."""
    for doc in yaml.safe_load_all(path.read_text()):
        for container in doc["spec"]["template"]["spec"]["containers"]:
            from_secret = {e["name"] for e in container.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}
            for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
                if kind not in container:
                    continue
                command = container[kind]["exec"]["command"]
                used = sorted({name for arg in command for name in re.findall(r"\$\{(\w+)", arg)})
                check(not any("$(" in arg for arg in command), f"{path.name}: {kind} has no $(VAR) for the kubelet to expand")
                shown = ", ".join(f"${{{name}}}" for name in used) or "no variable"
                check(used and set(used) <= from_secret, f"{path.name}: {kind} takes {shown} from a Secret")


def drop_in_timeout(argv):
    """grpc-health-probe's deadline: -connect-timeout + -rpc-timeout, 1s each
    by default (healthprobe's --timeout in grpc_health_probe mode)."""
    total = 0.0
    for flag in ("connect-timeout", "rpc-timeout"):
        value = "1s"
        for i, arg in enumerate(argv):
            if arg.lstrip("-") == flag:
                value = argv[i + 1]
            elif arg.lstrip("-").startswith(flag + "="):
                value = arg.split("=", 1)[1]
        total += seconds(value)
    return total


def run_drop_in(healthprobe, argv, target):
    """Runs argv[1:] with healthprobe copied as grpc_health_probe (the name
    decides the mode) and -addr pointed at target."""
    args = []
    for arg in argv[1:]:
        if args and args[-1].lstrip("-") == "addr":
            arg = target
        args.append(re.sub(r"^(--?addr=).*", lambda m: m.group(1) + target, arg))
    with tempfile.TemporaryDirectory() as bin_dir:
        copy = Path(bin_dir) / "grpc_health_probe"
        shutil.copy2(healthprobe, copy)
        done = subprocess.run([str(copy), *args], capture_output=True, text=True, timeout=30, env={})
    return done.returncode, (done.stdout + done.stderr).strip()


def grpc_checks(healthprobe, grpc_server, checks, drop_ins):
    """The gRPC examples' health checks, against the live server when one is
    given; (source, runtime timeout, argv) each, drop_ins in
    grpc_health_probe's syntax."""
    for source, runtime_timeout, argv in checks:
        own = probe_timeout(argv)
        check(argv[0] == PROBE, f"{source}: runs {PROBE}")
        check(runtime_timeout > own, f"{source}: runtime timeout {runtime_timeout}s > probe --timeout {own}s")
    for source, runtime_timeout, argv in drop_ins:
        own = drop_in_timeout(argv)
        check(Path(argv[0]).name == "grpc_health_probe", f"{source}: runs {argv[0]}")
        check(runtime_timeout > own, f"{source}: runtime timeout {runtime_timeout}s > -connect-timeout + -rpc-timeout {own}s")
    if not grpc_server:
        if os.environ.get("CI"):
            check(False, "the gRPC examples need a live server: give --grpc-server (built by bash .ci/interop)")
        else:
            print("skipped: the gRPC examples against a live server (no --grpc-server; build one with bash .ci/interop)")
        return
    token = secrets.token_hex(16)
    servers = [Server([grpc_server, "--listen", "127.0.0.1:0"])]
    try:
        servers.append(Server([grpc_server, "--listen", "127.0.0.1:0", "--require-token", token]))
        open_server, token_server = servers
        for source, _, argv in checks:
            shown = " ".join(argv[1:])
            if not any("${TOKEN}" in arg for arg in argv):
                code, line = run_probe(healthprobe, argv, open_server.address, ("grpc",))
                check(code == 0, f"{source}: {shown} -> exit {code}: {line}")
                continue
            # The server refuses calls without this token: exit 0 means the
            # header, expanded by healthprobe, reached it.
            code, line = run_probe(healthprobe, argv, token_server.address, ("grpc",), {"TOKEN": token})
            check(code == 0, f"{source}: {shown}, TOKEN set -> exit {code}: {line}")
            code, line = run_probe(healthprobe, argv, token_server.address, ("grpc",), {"TOKEN": "wrong"})
            check(code == 1 and "UNAUTHENTICATED" in line, f"{source}: {shown}, TOKEN wrong -> exit {code}: {line}")
        for source, _, argv in drop_ins:
            code, line = run_drop_in(healthprobe, argv, open_server.address)
            check(code == 0, f"{source}: {' '.join(argv)} -> exit {code}: {line}")
    finally:
        for server in servers:
            server.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    args = sys.argv[1:]
    app_python = None
    if "--app-python" in args:
        i = args.index("--app-python")
        app_python = args[i + 1]
        del args[i : i + 2]
    grpc_server = None
    if "--grpc-server" in args:
        i = args.index("--grpc-server")
        grpc_server = args[i + 1]
        del args[i : i + 2]
    healthprobe, health_server = args

    checks = []
    for path in (ROOT / "Dockerfile.example", ROOT / "examples/Dockerfile.scratch"):
        checks += [(path.name, *c) for c in dockerfile_healthchecks(path)]
    checks += [("kubernetes.yaml", *c) for c in kubernetes_probes(ROOT / "examples/kubernetes.yaml")]
    checks += [("kubernetes-init.yaml", *c) for c in kubernetes_probes(ROOT / "examples/kubernetes-init.yaml")]

    checks += [("Dockerfile.wait", *c) for c in dockerfile_healthchecks(ROOT / "examples/Dockerfile.wait")]

    port = free_port()
    server = Server([health_server, "--listen", f"127.0.0.1:{port}"], port)
    try:
        live, dead = f"127.0.0.1:{port}", f"127.0.0.1:{free_port()}"
        check_waiting(healthprobe, "Dockerfile.wait entrypoint", dockerfile_entrypoint(ROOT / "examples/Dockerfile.wait"), live, dead)
        for argv in kubernetes_waits(ROOT / "examples/kubernetes-wait.yaml"):
            check_waiting(healthprobe, "kubernetes-wait init container", argv, live, dead)
        for source, runtime_timeout, argv in checks:
            own = probe_timeout(argv)
            expected = "/probe/healthprobe" if source == "kubernetes-init.yaml" else PROBE
            check(argv[0] == expected, f"{source}: runs {expected}")
            check(runtime_timeout > own, f"{source}: runtime timeout {runtime_timeout}s > probe --timeout {own}s")
            code, line = run_probe(healthprobe, argv, f"127.0.0.1:{port}")
            check(code == 0, f"{source}: {' '.join(argv[1:])} -> exit {code}: {line}")
    finally:
        server.stop()

    dockerfile_grpc = ROOT / "examples/Dockerfile.grpc"
    grpc = [("Dockerfile.grpc", *c) for c in dockerfile_healthchecks(dockerfile_grpc)]
    grpc += [("kubernetes-grpc.yaml", *c) for c in kubernetes_probes(ROOT / "examples/kubernetes-grpc.yaml")]
    kubernetes_secret_variables(ROOT / "examples/kubernetes-grpc.yaml")
    comments = [line.lstrip("#").strip() for line in dockerfile_grpc.read_text().splitlines() if line.startswith("#")]
    check("COPY --from=healthprobe /healthprobe /bin/grpc_health_probe" in comments, "Dockerfile.grpc: shows the drop-in COPY as grpc_health_probe")
    drop_ins = [("Dockerfile.grpc (commented)", *c) for c in dockerfile_healthchecks(dockerfile_grpc, commented=True)]
    grpc_checks(healthprobe, grpc_server, grpc, drop_ins)

    if app_python:
        dockerfile_argv = dockerfile_healthchecks(ROOT / "Dockerfile.example")[0][1]
        port = free_port()
        with tempfile.TemporaryDirectory() as storage:
            env = {"PATH": os.environ["PATH"], "STORAGE_DIR": storage, "BIND": f"127.0.0.1:{port}", "WORKERS": "1"}
            gunicorn = [app_python, "-m", "gunicorn", "--chdir", str(ROOT / "examples/app"), "-c", str(ROOT / "examples/app/gunicorn.conf.py"), "app.main:app"]
            app = Server(gunicorn, port, env)
            try:
                code, line = run_probe(healthprobe, dockerfile_argv, f"localhost:{port}")
                check(code == 0 and line.startswith("healthy:"), f"FastAPI app, writable storage -> exit {code}: {line}")
            finally:
                app.stop()
            # A new port: gunicorn's worker can outlive its killed master for a
            # moment and hold the old one, and the next start must not connect
            # to it.
            port = free_port()
            env["STORAGE_DIR"] = str(Path(storage) / "missing")
            env["BIND"] = f"127.0.0.1:{port}"
            app = Server(gunicorn, port, env)
            try:
                code, line = run_probe(healthprobe, dockerfile_argv, f"localhost:{port}")
                check(code == 1 and "503 Service Unavailable" in line, f"FastAPI app, storage gone -> exit {code}: {line}")
            finally:
                app.stop()

    print(f"examples: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
