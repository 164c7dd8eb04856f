//! `healthprobe install DIR`: copies this binary to `DIR/healthprobe`, so that
//! a Kubernetes init container started from healthprobe's own image can place
//! the probe in an `emptyDir` shared with an application image we do not own.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Copies `source` (the running binary) to `dir/healthprobe` with mode 0755.
/// The copy is written under a temporary name in `dir` and renamed into
/// place, so that a probe starting meanwhile finds either no file or the
/// whole file, never half of one. `tag` makes the temporary name unique
/// between concurrent installs (the caller passes its process id).
pub fn install(source: &Path, dir: &Path, tag: u32) -> Result<PathBuf, String> {
    let describe = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => "no such directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::ReadOnlyFilesystem => "read-only file system".to_owned(),
        _ => e.to_string(),
    };
    let fail = |e: io::Error| format!("cannot install into {}: {}", dir.display(), describe(e));
    if !fs::metadata(dir).map_err(fail)?.is_dir() {
        return Err(format!(
            "cannot install into {}: not a directory",
            dir.display()
        ));
    }
    let target = dir.join("healthprobe");
    let temporary = dir.join(format!(".healthprobe.{tag}.tmp"));
    let written = (|| {
        fs::copy(source, &temporary)?;
        fs::set_permissions(&temporary, fs::Permissions::from_mode(0o755))?;
        fs::File::open(&temporary)?.sync_all()?;
        fs::rename(&temporary, &target)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(target)
}
