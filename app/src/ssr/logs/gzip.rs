//! Reads a gzip file (RFC 1952) whole, as CloudTrail delivers log and digest files. Inflates straight into the
//! output's spare capacity: `Read::read_to_end` over flate2's reader zero-fills every buffer first, which cost
//! as much as the JSON parsing it feeds. Checks each member's CRC-32 and length; concatenated members are
//! joined; any other bytes after the last member are an error.
use flate2::{Crc, Decompress, FlushDecompress, Status};
use std::cell::RefCell;

thread_local! {
    /// One inflater per thread, reset between members: a new one allocates and zeroes its 32 KiB window,
    /// which for small CloudTrail files cost as much as inflating them.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(false));
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    #[error("not a gzip file")]
    NotGzip,
    #[error("truncated gzip data")]
    Truncated,
    #[error("corrupt gzip data: {0}")]
    Corrupt(String),
    #[error("gzip checksum mismatch")]
    Checksum,
    #[error("unexpected data after end of compressed stream")]
    TrailingData,
}

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Length of the member header at the start of `data`.
fn header_len(data: &[u8]) -> Result<usize, GzipError> {
    if data.len() < 10 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(GzipError::NotGzip);
    }
    let flags = data[3];
    let mut at = 10;
    if flags & FEXTRA != 0 {
        let len = data.get(at..at + 2).ok_or(GzipError::Truncated)?;
        at += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let end = data
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
                .ok_or(GzipError::Truncated)?;
            at += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    if at > data.len() {
        Err(GzipError::Truncated)
    } else {
        Ok(at)
    }
}

/// Inflates the raw deflate stream at the start of `input` onto `out`; returns the input bytes it used.
fn inflate_member(
    inflater: &mut Decompress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<usize, GzipError> {
    inflater.reset(false);
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
        let consumed_before = inflater.total_in();
        let status = inflater
            .decompress_vec(
                &input[inflater.total_in() as usize..],
                out,
                FlushDecompress::Finish,
            )
            .map_err(|e| GzipError::Corrupt(e.to_string()))?;
        match status {
            Status::StreamEnd => return Ok(inflater.total_in() as usize),
            _ if out.len() < out.capacity() && inflater.total_in() == consumed_before => {
                return Err(GzipError::Truncated);
            }
            _ => {}
        }
    }
}

/// Decompresses all of `data`.
pub fn gunzip(data: &[u8]) -> Result<Vec<u8>, GzipError> {
    // ISIZE (the last four bytes) is the uncompressed size modulo 2^32: a good first guess, capped against lies.
    let hint = data.len().checked_sub(4).map_or(0, |i| {
        u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]) as usize
    });
    let mut out = Vec::with_capacity(hint.saturating_add(64).min(64 << 20));
    let mut rest = data;
    loop {
        rest = &rest[header_len(rest)?..];
        let member_start = out.len();
        let consumed =
            INFLATER.with_borrow_mut(|inflater| inflate_member(inflater, rest, &mut out))?;
        rest = &rest[consumed..];
        let trailer = rest.get(..8).ok_or(GzipError::Truncated)?;
        let mut crc = Crc::new();
        crc.update(&out[member_start..]);
        let expected_crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
        let expected_len = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if crc.sum() != expected_crc || (out.len() - member_start) as u32 != expected_len {
            return Err(GzipError::Checksum);
        }
        rest = &rest[8..];
        if rest.is_empty() {
            return Ok(out);
        }
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Err(GzipError::TrailingData);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8], name: Option<&str>) -> Vec<u8> {
        let mut builder = flate2::GzBuilder::new();
        if let Some(name) = name {
            builder = builder.filename(name).comment("c").extra(vec![1, 2, 3]);
        }
        let mut encoder = builder.write(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("compress");
        encoder.finish().expect("compress")
    }

    #[test]
    fn round_trips_with_and_without_optional_header_fields() {
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        assert_eq!(gunzip(&gzip(&text, None)), Ok(text.clone()));
        assert_eq!(gunzip(&gzip(&text, Some("file.json"))), Ok(text));
        assert_eq!(gunzip(&gzip(b"", None)), Ok(Vec::new()));
    }

    #[test]
    fn joins_concatenated_members() {
        let mut data = gzip(b"hello ", None);
        data.extend(gzip(b"world", Some("x")));
        assert_eq!(gunzip(&data).expect("two members"), b"hello world");
    }

    #[test]
    fn damage_is_an_error() {
        let good = gzip(b"{\"Records\":[]} and some more text to compress", None);
        assert_eq!(gunzip(b"{\"Records\":[]}"), Err(GzipError::NotGzip));
        assert_eq!(gunzip(&good[..good.len() / 2]), Err(GzipError::Truncated));
        assert_eq!(gunzip(&good[..good.len() - 3]), Err(GzipError::Truncated));
        let mut bad_crc = good.clone();
        let at = bad_crc.len() - 8;
        bad_crc[at] ^= 1;
        assert_eq!(gunzip(&bad_crc), Err(GzipError::Checksum));
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"junk");
        assert_eq!(gunzip(&trailing), Err(GzipError::TrailingData));
        let mut corrupt = good;
        corrupt[12] ^= 0xff;
        assert!(gunzip(&corrupt).is_err());
    }
}
