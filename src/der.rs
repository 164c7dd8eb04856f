//! Just enough DER to find the public key in an X.509 certificate, so that a
//! client key can be checked against its certificate the way curl and
//! OpenSSL do it, whatever the certificate's version or extensions (webpki,
//! which rustls would use, refuses X.509 v1). It reads files the user names,
//! so it is fuzzed (`fuzz/fuzz_targets/der_spki.rs`).

/// The DER of the SubjectPublicKeyInfo in an X.509 certificate (RFC 5280
/// section 4.1), tag and length included, or `None` if the DER is malformed.
/// Only the structure is read, so any version and any extensions pass.
pub fn subject_public_key_info(cert: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    let (certificate, _) = der_element(cert, SEQUENCE)?;
    let (tbs, _) = der_element(der_contents(certificate)?, SEQUENCE)?;
    let mut rest = der_contents(tbs)?;
    // version [0] EXPLICIT, absent in v1 certificates.
    if rest.first() == Some(&0xa0) {
        rest = der_element(rest, 0xa0)?.1;
    }
    // serialNumber, signature, issuer, validity, subject.
    for tag in [0x02, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE] {
        rest = der_element(rest, tag)?.1;
    }
    Some(der_element(rest, SEQUENCE)?.0)
}

/// Splits the DER element with `tag` off the front of `input`: the whole
/// element (tag, length and contents) and what follows it.
fn der_element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *input.first()? != tag {
        return None;
    }
    let (header, length) = der_length(input.get(1..)?)?;
    let end = 1usize.checked_add(header)?.checked_add(length)?;
    Some((input.get(..end)?, input.get(end..)?))
}

/// The contents of one whole DER element.
fn der_contents(element: &[u8]) -> Option<&[u8]> {
    let (header, _) = der_length(element.get(1..)?)?;
    element.get(1 + header..)
}

/// A DER length: how many bytes it takes, and its value. Lengths of more than
/// four bytes are refused; no certificate comes near them.
fn der_length(input: &[u8]) -> Option<(usize, usize)> {
    let first = *input.first()?;
    if first < 0x80 {
        return Some((1, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let bytes = input.get(1..=count)?;
    let length = bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
    Some((1 + count, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_short_and_long() {
        assert_eq!(der_length(&[0x05]), Some((1, 5)));
        assert_eq!(der_length(&[0x81, 0xc8]), Some((2, 200)));
        assert_eq!(der_length(&[0x82, 0x01, 0x00]), Some((3, 256)));
        assert_eq!(der_length(&[0x80]), None);
        assert_eq!(der_length(&[0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(der_length(&[0x82, 0x01]), None);
        assert_eq!(der_length(&[]), None);
    }

    #[test]
    fn malformed_certificates_have_no_key() {
        for der in [
            &b""[..],
            &[0x30],
            &[0x30, 0x05, 0x30, 0x03],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
            &[0x02, 0x00],
            &[0x30, 0x02, 0x30, 0x00],
        ] {
            assert_eq!(subject_public_key_info(der), None, "{der:?}");
        }
    }

    #[test]
    fn finds_the_key_of_a_v1_and_a_v3_shaped_certificate() {
        let spki = [0x30, 0x03, 0x06, 0x01, 0x2a];
        let mut tbs_v1 = vec![0x02, 0x01, 0x01];
        for _ in 0..4 {
            tbs_v1.extend_from_slice(&[0x30, 0x00]);
        }
        tbs_v1.extend_from_slice(&spki);
        let mut tbs_v3 = vec![0xa0, 0x03, 0x02, 0x01, 0x02];
        tbs_v3.extend_from_slice(&tbs_v1);
        tbs_v3.extend_from_slice(&[0xa3, 0x00]);
        for tbs in [tbs_v1, tbs_v3] {
            let mut cert = vec![0x30, tbs.len() as u8];
            cert.extend_from_slice(&tbs);
            let mut whole = vec![0x30, cert.len() as u8 + 4];
            whole.extend_from_slice(&cert);
            whole.extend_from_slice(&[0x30, 0x00, 0x03, 0x00]);
            assert_eq!(subject_public_key_info(&whole), Some(&spki[..]));
        }
    }
}
