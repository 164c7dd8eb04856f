//! The static musl binary as `.ci/test` builds it: linked at a fixed
//! address, with no interpreter and no shared library. It needs
//! HEALTHPROBE_STATIC_BIN naming the static binary; run without it, it
//! fails. The same binary in an empty root is in `tests/system/sandbox.rs`.

use std::fs;

use crate::support::*;

#[test]
#[ignore = "needs the static musl build (HEALTHPROBE_STATIC_BIN): .ci/test builds it"]
fn the_static_binary_sits_at_a_fixed_address_with_no_interpreter_or_shared_library() {
    let binary = static_binary();
    let elf = fs::read(&binary).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(elf[4], 2, "not a 64-bit ELF file");
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    // ET_EXEC, not a static-pie's ET_DYN: link/cc links the release build
    // at a fixed address, with nothing to relocate at start (docs/performance.md,
    // "What a probe costs").
    assert_eq!(
        u16_at(0x10),
        2,
        "not an executable linked at a fixed address (ET_EXEC)"
    );
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    let mut needed = 0;
    for i in 0..phnum {
        let ph = phoff + i * phentsize;
        let p_type = u32::from_le_bytes(elf[ph..ph + 4].try_into().unwrap());
        assert_ne!(p_type, 3, "PT_INTERP: the binary asks for a dynamic loader");
        if p_type == 2 {
            // PT_DYNAMIC: a static-pie has one for its own relocations (a
            // build with HEALTHPROBE_STATIC_PIE=1), but must not name any
            // shared library (DT_NEEDED, tag 1).
            let (offset, size) = (u64_at(ph + 8), u64_at(ph + 32));
            for entry in elf[offset..offset + size].chunks_exact(16) {
                let tag = u64::from_le_bytes(entry[..8].try_into().unwrap());
                needed += usize::from(tag == 1);
            }
        }
    }
    assert_eq!(needed, 0, "the binary needs {needed} shared libraries");
}

#[test]
#[ignore = "needs the static musl build (HEALTHPROBE_STATIC_BIN): .ci/test builds it"]
fn the_static_binary_carries_no_unwind_tables() {
    // link/cc leaves them out (link/no-unwind.ld): with panic = "abort"
    // nothing unwinds, and they were about 167 KB of the default build.
    let elf = fs::read(static_binary()).unwrap();
    let u16_at = |o: usize| u16::from_le_bytes(elf[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phentsize, phnum) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    for i in 0..phnum {
        let p_type = u32_at(phoff + i * phentsize);
        assert_ne!(p_type, 0x6474_e550, "PT_GNU_EH_FRAME: an unwind index");
    }
    let (shoff, shentsize, shnum, shstrndx) =
        (u64_at(0x28), u16_at(0x3a), u16_at(0x3c), u16_at(0x3e));
    let strings = u64_at(shoff + shstrndx * shentsize + 0x18);
    let mut names = Vec::new();
    for i in 0..shnum {
        let at = strings + u32_at(shoff + i * shentsize);
        let end = at + elf[at..].iter().position(|&b| b == 0).unwrap();
        names.push(String::from_utf8_lossy(&elf[at..end]).into_owned());
    }
    assert!(names.iter().any(|name| name == ".text"), "{names:?}");
    for unwind in [".eh_frame", ".eh_frame_hdr", ".gcc_except_table"] {
        assert!(
            !names.iter().any(|name| name == unwind),
            "{unwind} in {names:?}"
        );
    }
}
