//! Raw records: the delivered `.json.gz` files, appended unchanged to segment files beside the database
//! (`trailscope.blocks/segment-000001.bin`, …), each referenced from the `blocks` table by segment, offset and
//! length. Kept out of SQLite because writing them as blobs cost the ingest writer a quarter of its time (the
//! bytes went through the page cache, the WAL and the checkpoint); here they are one append per batch.
//!
//! Crash safety: a batch's bytes are appended and `fdatasync`ed before its transaction commits, so a committed
//! block always has its bytes. Bytes of a batch whose transaction fails are truncated away; after a crash they
//! are unreferenced garbage at the end of a segment, never read.
//!
//! Several writers (serve's sync and background S3 ingest, a CLI ingest in another process) may append to the
//! same segment: each batch starts at the file's real end, read while the batch's transaction holds SQLite's
//! write lock, which every other writer needs for its own append.
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A segment is closed once it passes this size.
const SEGMENT_LIMIT_BYTES: u64 = 1 << 30;

/// Where one block's bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockRef {
    /// The segment file's number (`segment-000001.bin` is 1).
    pub segment: u32,
    /// Where the block starts in it, in bytes.
    pub offset: u64,
    /// The block's length, in bytes.
    pub length: u64,
}

fn segment_path(dir: &Path, segment: u32) -> PathBuf {
    dir.join(format!("segment-{segment:06}.bin"))
}

/// The single writer's append handle.
pub struct SegmentWriter {
    dir: PathBuf,
    segment: u32,
    file: File,
    /// Bytes of `segment` that belong to committed batches.
    committed_len: u64,
    /// Appended since the last commit, not yet written.
    pending: Vec<u8>,
}

impl SegmentWriter {
    /// Opens the newest segment in `dir` (creating `dir` and the first segment when needed).
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let newest = std::fs::read_dir(dir)?
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_str()?
                    .strip_prefix("segment-")?
                    .strip_suffix(".bin")?
                    .parse::<u32>()
                    .ok()
            })
            .max()
            .unwrap_or(1);
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(segment_path(dir, newest))?;
        let committed_len = file.metadata()?.len();
        Ok(Self {
            dir: dir.to_owned(),
            segment: newest,
            file,
            committed_len,
            pending: Vec::new(),
        })
    }

    /// Reserves the place of `data` in the current batch; it is written by [`commit`](Self::commit). Call it
    /// inside the transaction that references the block, after that transaction has written (so it holds the
    /// store's write lock and no other writer can append until it ends).
    pub fn append(&mut self, data: &[u8]) -> std::io::Result<BlockRef> {
        if self.pending.is_empty() {
            // Another writer may have appended since this one's last batch.
            self.committed_len = self.file.metadata()?.len();
        }
        if self.committed_len + self.pending.len() as u64 > SEGMENT_LIMIT_BYTES {
            self.write_pending()?;
            self.segment += 1;
            self.file = OpenOptions::new()
                .create(true)
                .read(true)
                .write(true)
                .truncate(false)
                .open(segment_path(&self.dir, self.segment))?;
            self.committed_len = self.file.metadata()?.len();
        }
        let block = BlockRef {
            segment: self.segment,
            offset: self.committed_len + self.pending.len() as u64,
            length: data.len() as u64,
        };
        self.pending.extend_from_slice(data);
        Ok(block)
    }

    fn write_pending(&mut self) -> std::io::Result<()> {
        self.file.seek(SeekFrom::Start(self.committed_len))?;
        self.file.write_all(&self.pending)?;
        self.file.sync_data()?;
        self.committed_len += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Makes the batch's bytes durable; call before committing the transaction that references them.
    pub fn commit(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            self.write_pending()
        }
    }

    /// Forgets the batch's bytes (its transaction failed).
    pub fn discard(&mut self) {
        self.pending.clear();
    }
}

/// Reads `block` from its segment `file` (opened with [`open_segment`]) into `out`, replacing what it held (its
/// allocation is reused). Errors: the file's.
pub fn read_block_from(file: &File, block: BlockRef, out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    out.clear();
    out.resize(
        usize::try_from(block.length).map_err(std::io::Error::other)?,
        0,
    );
    file.read_exact_at(out, block.offset)
}

/// Opens segment `segment` of the blocks folder `dir` to read blocks from it. Errors: the file's.
pub fn open_segment(dir: &Path, segment: u32) -> std::io::Result<File> {
    File::open(segment_path(dir, segment))
}

/// Reads one block's bytes.
pub fn read_block(dir: &Path, block: BlockRef) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(segment_path(dir, block.segment))?;
    file.seek(SeekFrom::Start(block.offset))?;
    let mut data = vec![0; usize::try_from(block.length).map_err(std::io::Error::other)?];
    file.read_exact(&mut data)?;
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appended_blocks_read_back_and_discarded_ones_are_overwritten() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut w = SegmentWriter::open(dir.path())?;
        let a = w.append(b"first")?;
        let b = w.append(b"second")?;
        w.commit()?;
        let lost = w.append(b"never committed")?;
        w.discard();
        let c = w.append(b"third")?;
        w.commit()?;
        assert_eq!(lost.offset, c.offset, "a discarded batch leaves no gap");
        for (block, text) in [(a, "first"), (b, "second"), (c, "third")] {
            assert_eq!(read_block(dir.path(), block)?, text.as_bytes());
        }
        let mut reopened = SegmentWriter::open(dir.path())?;
        let d = reopened.append(b"after restart")?;
        reopened.commit()?;
        assert_eq!(d.offset, c.offset + 5);
        assert_eq!(read_block(dir.path(), d)?, b"after restart");
        Ok(())
    }

    #[test]
    fn two_writers_taking_turns_never_overwrite_each_other() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut sync = SegmentWriter::open(dir.path())?;
        let mut ingest = SegmentWriter::open(dir.path())?;
        let a = sync.append(b"sync page")?;
        sync.commit()?;
        let b = ingest.append(b"archive file")?;
        ingest.commit()?;
        let c = sync.append(b"next page")?;
        sync.commit()?;
        for (block, text) in [(a, "sync page"), (b, "archive file"), (c, "next page")] {
            assert_eq!(read_block(dir.path(), block)?, text.as_bytes());
        }
        Ok(())
    }
}
