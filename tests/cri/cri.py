#!/usr/bin/env python3
"""A small CRI client: the calls the kubelet makes to a container runtime
for a pod whose container has an exec probe, over containerd's CRI socket.

    cri.py --socket PATH version
    cri.py --socket PATH sandbox NAME                    prints the pod's id
    cri.py --socket PATH create POD IMAGE USER -- ARGS   prints the container's id
    cri.py --socket PATH start CONTAINER
    cri.py --socket PATH exec [--repeat N] CONTAINER TIMEOUT -- CMD...
    cri.py --socket PATH remove POD                      stops and removes it

`exec` is the kubelet's exec probe: RuntimeService/ExecSync with the
probe's timeoutSeconds as `timeout`, and a gRPC deadline of that timeout plus
the kubelet's runtime request timeout (`--runtime-request-timeout`, default
2 minutes): the kubelet's cri-client (staging/src/k8s.io/cri-client/pkg/
remote_runtime.go, `ExecSync`) sets `r.timeout + timeout` to leave the
runtime time to clean up. It prints one JSON object a call: exit_code,
stdout, stderr, seconds (the wall time of the call alone, on a connection
made beforehand, as the kubelet's is), and grpc_error (null, or the status
code's name and details, when the call itself failed; the kubelet reads
DeadlineExceeded as a timed-out probe).

Sandboxes use the host's network (NamespaceMode NODE), so no CNI is needed.
The stubs are generated from tests/cri/api.proto with grpcio-tools at run
time into target/cri/stubs/, keyed by the proto's hash. Run it with the
venv that .ci/cri makes (target/cri/venv/bin/python).
"""

import argparse
import hashlib
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO = HERE / "api.proto"
STUBS = HERE.parent.parent / "target" / "cri" / "stubs"
# The kubelet's default --runtime-request-timeout.
RUNTIME_REQUEST_TIMEOUT = 120.0
# Every other call's deadline.
CALL_TIMEOUT = 60.0


def stubs():
    """api_pb2 and api_pb2_grpc, generated once per version of the proto."""
    key = hashlib.sha256(PROTO.read_bytes()).hexdigest()[:16]
    out = STUBS / key
    if not (out / "api_pb2_grpc.py").exists():
        from grpc_tools import protoc

        STUBS.mkdir(parents=True, exist_ok=True)
        # Into a directory of its own, then renamed: tests run in parallel.
        tmp = Path(tempfile.mkdtemp(dir=STUBS))
        code = protoc.main(
            [
                "protoc",
                f"-I{HERE}",
                f"--python_out={tmp}",
                f"--grpc_python_out={tmp}",
                str(PROTO),
            ]
        )
        if code != 0:
            sys.exit(f"cri.py: protoc failed on {PROTO} ({code})")
        try:
            os.rename(tmp, out)
        except OSError:
            # Another process got there first.
            for f in tmp.iterdir():
                f.unlink()
            tmp.rmdir()
    sys.path.insert(0, str(out))
    return importlib.import_module("api_pb2"), importlib.import_module("api_pb2_grpc")


def connect(socket):
    import grpc

    channel = grpc.insecure_channel(f"unix://{socket}")
    grpc.channel_ready_future(channel).result(timeout=10)
    pb, pb_grpc = stubs()
    return pb, pb_grpc.RuntimeServiceStub(channel)


def namespaces(pb):
    """What the kubelet sets for a pod with hostNetwork: true."""
    return pb.NamespaceOption(
        network=pb.NamespaceMode.NODE,
        pid=pb.NamespaceMode.CONTAINER,
        ipc=pb.NamespaceMode.POD,
    )


def sandbox_config(pb, name):
    """No hostname: the kubelet sets none for a pod on the host's network,
    whose UTS namespace is the host's (runc refuses to set one there)."""
    return pb.PodSandboxConfig(
        metadata=pb.PodSandboxMetadata(name=name, uid=name, namespace="healthprobe-test"),
        linux=pb.LinuxPodSandboxConfig(
            security_context=pb.LinuxSandboxSecurityContext(namespace_options=namespaces(pb))
        ),
    )


def cmd_version(args):
    pb, rt = connect(args.socket)
    v = rt.Version(pb.VersionRequest(), timeout=CALL_TIMEOUT)
    print(f"{v.runtime_name} {v.runtime_version} (CRI {v.runtime_api_version})")


def cmd_sandbox(args):
    pb, rt = connect(args.socket)
    r = rt.RunPodSandbox(
        pb.RunPodSandboxRequest(config=sandbox_config(pb, args.name)), timeout=CALL_TIMEOUT
    )
    print(r.pod_sandbox_id)


def cmd_create(args):
    pb, rt = connect(args.socket)
    status = rt.PodSandboxStatus(
        pb.PodSandboxStatusRequest(pod_sandbox_id=args.pod), timeout=CALL_TIMEOUT
    )
    pod = sandbox_config(pb, status.status.metadata.name)
    security = pb.LinuxContainerSecurityContext(namespace_options=namespaces(pb))
    if args.user:
        security.run_as_user.value = int(args.user)
    config = pb.ContainerConfig(
        metadata=pb.ContainerMetadata(name="main"),
        image=pb.ImageSpec(image=args.image),
        args=args.args,
        linux=pb.LinuxContainerConfig(security_context=security),
    )
    r = rt.CreateContainer(
        pb.CreateContainerRequest(pod_sandbox_id=args.pod, config=config, sandbox_config=pod),
        timeout=CALL_TIMEOUT,
    )
    print(r.container_id)


def cmd_start(args):
    pb, rt = connect(args.socket)
    rt.StartContainer(pb.StartContainerRequest(container_id=args.container), timeout=CALL_TIMEOUT)


def cmd_exec(args):
    import grpc

    pb, rt = connect(args.socket)
    request = pb.ExecSyncRequest(container_id=args.container, cmd=args.cmd, timeout=args.timeout)
    deadline = args.timeout + RUNTIME_REQUEST_TIMEOUT if args.timeout else None
    for _ in range(args.repeat):
        result = {"exit_code": None, "stdout": "", "stderr": "", "grpc_error": None}
        started = time.monotonic()
        try:
            r = rt.ExecSync(request, timeout=deadline)
            result["seconds"] = time.monotonic() - started
            result["exit_code"] = r.exit_code
            result["stdout"] = r.stdout.decode("utf-8", "replace")
            result["stderr"] = r.stderr.decode("utf-8", "replace")
        except grpc.RpcError as e:
            result["seconds"] = time.monotonic() - started
            result["grpc_error"] = {"code": e.code().name, "details": e.details()}
        print(json.dumps(result, sort_keys=True), flush=True)


def cmd_remove(args):
    pb, rt = connect(args.socket)
    rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=args.pod), timeout=CALL_TIMEOUT)
    rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=args.pod), timeout=CALL_TIMEOUT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="containerd's gRPC socket")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version").set_defaults(run=cmd_version)
    p = sub.add_parser("sandbox")
    p.add_argument("name")
    p.set_defaults(run=cmd_sandbox)
    p = sub.add_parser("create")
    p.add_argument("pod")
    p.add_argument("image")
    p.add_argument("user", help='the uid to run as, or "" for the image\'s')
    p.add_argument("args", nargs="*")
    p.set_defaults(run=cmd_create)
    p = sub.add_parser("start")
    p.add_argument("container")
    p.set_defaults(run=cmd_start)
    p = sub.add_parser("exec")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("container")
    p.add_argument("timeout", type=int, help="ExecSyncRequest.timeout, in seconds")
    p.add_argument("cmd", nargs="+")
    p.set_defaults(run=cmd_exec)
    p = sub.add_parser("remove")
    p.add_argument("pod")
    p.set_defaults(run=cmd_remove)
    args = parser.parse_args()
    try:
        args.run(args)
    except Exception as e:  # noqa: BLE001 - one line, and exit 1, for the harness
        code = getattr(e, "code", None)
        detail = f"{code().name}: {e.details()}" if callable(code) else repr(e)
        sys.exit(f"cri.py {args.command}: {detail}")


if __name__ == "__main__":
    main()
