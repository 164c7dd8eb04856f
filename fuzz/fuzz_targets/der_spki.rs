//! The DER walk that finds the public key in a client certificate
//! (`--cert`, a file the user names): any bytes, never a panic, and when it
//! finds a key, that key is one whole DER SEQUENCE inside the input.
#![no_main]

use healthprobe::fuzz::subject_public_key_info;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(spki) = subject_public_key_info(data) else {
        return;
    };
    let start = spki.as_ptr() as usize - data.as_ptr() as usize;
    assert!(start + spki.len() <= data.len(), "outside the input");
    assert_eq!(spki.first(), Some(&0x30), "not a SEQUENCE");
    // Its length field covers exactly the bytes returned.
    let (header, length) = match spki.get(1) {
        Some(&n) if n < 0x80 => (2, usize::from(n)),
        Some(&n) => {
            let count = usize::from(n & 0x7f);
            let bytes = &spki[2..2 + count];
            (
                2 + count,
                bytes.iter().fold(0, |acc, b| (acc << 8) | usize::from(*b)),
            )
        }
        None => panic!("no length"),
    };
    assert_eq!(header + length, spki.len());
});
