#!/usr/bin/env python3
"""Writes an image FROM scratch as a docker-archive tarball (the format of
`docker save`, which `ctr images import` reads): one layer holding the given
files, a config, and a manifest naming the tag.

    image.py OUT.tar TAG USER ENTRYPOINT [NAME=PATH ...]

Each NAME=PATH puts the file at PATH into the image as /NAME (NAME may hold
directories: usr/local/bin/healthprobe), owned by root, mode 0755, as are
the directories it makes. USER is the image's user ("65532", or "" for root), ENTRYPOINT a
JSON list ('["/pause"]'). It prints the image's id (its config's digest),
which containerd's CRI also names the image by. Standard library only: .ci/cri runs it with the
system's Python before any venv exists. Everything is fixed (mtime 0, sorted
names), so the same files give the same image digest.
"""

import hashlib
import io
import json
import sys
import tarfile


def layer(files):
    """The layer tar's bytes: each (name, path) as /name, after the
    directories above it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted({"/".join(name.split("/")[:i]) for name, _ in files for i in range(1, name.count("/") + 1)})
        for name in dirs:
            info = tarfile.TarInfo(name)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            info.mtime = 0
            tar.addfile(info)
        for name, path in sorted(files):
            with open(path, "rb") as source:
                data = source.read()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def archive(out, tag, user, entrypoint, files):
    blob = layer(files)
    diff_id = "sha256:" + hashlib.sha256(blob).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "created": "1970-01-01T00:00:00Z",
            "config": {
                "User": user,
                "Entrypoint": entrypoint,
                "Env": ["PATH=/"],
                "WorkingDir": "/",
            },
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "tests/cri/image.py"}],
        },
        sort_keys=True,
    ).encode()
    image_id = hashlib.sha256(config).hexdigest()
    config_name = image_id + ".json"
    manifest = json.dumps(
        [{"Config": config_name, "RepoTags": [tag], "Layers": ["layer.tar"]}]
    ).encode()
    with tarfile.open(out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in [
            (config_name, config),
            ("layer.tar", blob),
            ("manifest.json", manifest),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return "sha256:" + image_id


def main(argv):
    if len(argv) < 5:
        print(__doc__.strip().splitlines()[3].strip(), file=sys.stderr)
        return 64
    out, tag, user, entrypoint = argv[1:5]
    files = []
    for item in argv[5:]:
        name, sep, path = item.partition("=")
        parts = name.split("/")
        if not sep or "" in parts or ".." in parts or "." in parts:
            print(f"image.py: expected NAME=PATH, not {item!r}", file=sys.stderr)
            return 64
        files.append((name, path))
    print(archive(out, tag, user, json.loads(entrypoint), files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
