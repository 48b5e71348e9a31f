//! The only file I/O of a scan: read a candidate, decide whether it can be analysed, and map byte offsets to
//! lines and columns.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// Why a candidate file was not analysed. Every skip carries one of these, in every output format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge {
        size: u64,
        limit: u64,
    },
    Binary,
    NotUtf8 {
        line: usize,
    },
    Minified {
        longest_line: usize,
    },
    NotSupported,
    Symlink,
    SymlinkLoop,
    /// A FIFO, socket or device: reading it could block the scan or never end.
    NotRegularFile,
    /// Named on the command line with --force-exclude, but gone.
    NotFound,
    TooDeep {
        limit: usize,
    },
    /// More indentation levels than a grammar's scanner can hold (see `lang::guard`).
    TooManyIndentLevels {
        levels: usize,
        limit: usize,
    },
    TestCode,
}

impl SkipReason {
    /// A stable machine-readable code for JSON and SARIF.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::TooLarge { .. } => "too-large",
            SkipReason::Binary => "binary",
            SkipReason::NotUtf8 { .. } => "not-utf8",
            SkipReason::Minified { .. } => "minified",
            SkipReason::NotSupported => "unsupported-language",
            SkipReason::Symlink => "symlink",
            SkipReason::SymlinkLoop => "symlink-loop",
            SkipReason::NotRegularFile => "not-a-regular-file",
            SkipReason::NotFound => "not-found",
            SkipReason::TooDeep { .. } | SkipReason::TooManyIndentLevels { .. } => "too-deep",
            SkipReason::TestCode => "test-code",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::TooLarge { size, limit } => write!(
                f,
                "file is {size} bytes, over the {limit}-byte limit (raise it with --max-file-size)"
            ),
            SkipReason::Binary => write!(f, "binary file (contains NUL bytes)"),
            SkipReason::NotUtf8 { line } => {
                write!(f, "not valid UTF-8 (first invalid byte on line {line}); re-encode the file as UTF-8")
            }
            SkipReason::Minified { longest_line } => write!(
                f,
                "looks minified or generated (a line of {longest_line} bytes); scan the source it was built from"
            ),
            SkipReason::NotSupported => {
                write!(f, "not a JavaScript, TypeScript or Python file (by extension)")
            }
            SkipReason::Symlink => write!(f, "symbolic link, not followed (pass --follow to follow links)"),
            SkipReason::SymlinkLoop => write!(f, "symbolic link loop"),
            SkipReason::NotRegularFile => write!(
                f,
                "not a regular file (a FIFO, socket or device); skillaudit reads only regular files"
            ),
            SkipReason::TooManyIndentLevels { levels, limit } => write!(
                f,
                "{levels} different indentation levels, over the {limit} the Python grammar can parse safely (generated code?)"
            ),
            SkipReason::NotFound => write!(f, "no such file (it was named on the command line)"),
            SkipReason::TestCode => write!(f, "test code (pass --include-tests to scan tests too)"),
            SkipReason::TooDeep { limit } => write!(
                f,
                "syntax nested more than {limit} levels deep (generated code?); skillaudit analyses files up to that depth"
            ),
        }
    }
}

/// The outcome of loading one file.
pub enum Loaded {
    Text(String),
    Skip(SkipReason),
}

/// Files at least this large are checked for the minified-bundle shape.
const MINIFIED_MIN_SIZE: usize = 32 * 1024;
/// A line this long in a file of that size marks it as minified or generated.
const MINIFIED_LINE: usize = 4 * 1024;
/// Average line length above which a large file counts as minified.
const MINIFIED_AVERAGE_LINE: usize = 400;

/// Opens a file for reading without blocking: opening a FIFO for reading waits for a writer, and one could
/// be put in place of a regular file between the walk and the read.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads `path` (at most `max_size` bytes) and decides whether it is analysable text. Only regular files are
/// read; the size limit applies before anything is allocated.
pub fn load(path: &Path, max_size: u64) -> std::io::Result<Loaded> {
    let mut buf = Vec::new();
    Ok(match load_into(path, max_size, &mut buf)? {
        Ok(text) => Loaded::Text(text.to_string()),
        Err(reason) => Loaded::Skip(reason),
    })
}

/// [`load`] into a buffer the caller keeps from file to file: most files are read, found to say nothing
/// about OAuth and dropped, and reusing one buffer spares an allocation, its page faults and its free per
/// file.
pub fn load_into<'b>(
    path: &Path,
    max_size: u64,
    buf: &'b mut Vec<u8>,
) -> std::io::Result<Result<&'b str, SkipReason>> {
    // Where opening cannot be made non-blocking, nothing but a regular file is opened at all; elsewhere the
    // open does not wait, and the open file's own metadata decides.
    #[cfg(not(unix))]
    if !std::fs::metadata(path)?.is_file() {
        return Ok(Err(SkipReason::NotRegularFile));
    }
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Err(SkipReason::NotRegularFile));
    }
    let size = meta.len();
    if size > max_size {
        return Ok(Err(SkipReason::TooLarge {
            size,
            limit: max_size,
        }));
    }
    buf.clear();
    buf.reserve(size as usize);
    // Read at most one byte past the limit: the file may have grown since `metadata`.
    file.take(max_size.saturating_add(1)).read_to_end(buf)?;
    if buf.len() as u64 > max_size {
        return Ok(Err(SkipReason::TooLarge {
            size: buf.len() as u64,
            limit: max_size,
        }));
    }
    Ok(classify_bytes(buf))
}

/// Decides, from the bytes alone, whether a file can be analysed.
pub fn classify(bytes: Vec<u8>) -> Loaded {
    match classify_bytes(&bytes) {
        Ok(text) => Loaded::Text(text.to_string()),
        Err(reason) => Loaded::Skip(reason),
    }
}

/// Whether some line has at least `MINIFIED_LINE` bytes: each step looks back from the end of the next
/// `MINIFIED_LINE` bytes for the last newline among them, which on ordinary code touches a few dozen bytes
/// per step instead of every newline of the file.
fn has_long_line(bytes: &[u8]) -> bool {
    let mut start = 0;
    while bytes.len() - start >= MINIFIED_LINE {
        match memchr::memrchr(b'\n', &bytes[start..start + MINIFIED_LINE]) {
            Some(i) => start += i + 1,
            None => return true,
        }
    }
    false
}

/// [`classify`] without a copy: the text (a UTF-8 byte order mark dropped), or why it is not analysed.
pub fn classify_bytes(bytes: &[u8]) -> Result<&str, SkipReason> {
    if memchr::memchr(0, bytes).is_some() {
        return Err(SkipReason::Binary);
    }
    // A UTF-8 byte order mark is dropped. Offsets are then relative to the text after it, and since the BOM
    // is on line 1 before any code, line numbers are unaffected.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Validated with SIMD (a fifth of the time of the standard library's check, on every file a scan
    // reads); only a file that fails is checked again, for where.
    let text = match simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes)) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.valid_up_to();
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..valid]).count();
            return Err(SkipReason::NotUtf8 { line });
        }
    };
    if text.len() >= MINIFIED_MIN_SIZE && has_long_line(text.as_bytes()) {
        let mut longest = 0;
        let mut lines = 1;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
            lines += 1;
            longest = longest.max(end - start);
            start = end + 1;
        }
        longest = longest.max(text.len() - start);
        if longest >= MINIFIED_LINE
            && (text.len() / lines >= MINIFIED_AVERAGE_LINE || longest >= 64 * 1024)
        {
            return Err(SkipReason::Minified {
                longest_line: longest,
            });
        }
    }
    Ok(text)
}

/// Maps byte offsets to 1-based line and column numbers.
///
/// This is the one place where the internal 0-based byte offsets of `Span` become the 1-based lines and
/// columns that users see. Columns count Unicode scalar values (SARIF `columnKind: unicodeCodePoints`); a `\r`
/// before `\n` belongs to the line it ends, so CRLF files number their lines like LF files.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based (line, column) of a byte offset.
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, column + 1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map(|e| e - 1).unwrap_or(text.len());
        text[start..end.max(start)].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_lines_and_columns() {
        let text = "a\r\nbc\r\n  d";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, text.find('d').unwrap()), (3, 3));
        assert_eq!(idx.position(text, text.find('c').unwrap()), (2, 2));
        assert_eq!(idx.line_text(text, 2), "bc");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "é = \"x\"";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, text.find('=').unwrap()), (1, 3));
    }

    #[test]
    fn bom_is_dropped_and_invalid_utf8_names_the_line() {
        match classify(b"\xEF\xBB\xBFlet a = 1;".to_vec()) {
            Loaded::Text(t) => assert_eq!(t, "let a = 1;"),
            Loaded::Skip(r) => panic!("skipped: {r}"),
        }
        match classify(b"ok\nok\n\xff\xfe".to_vec()) {
            Loaded::Skip(SkipReason::NotUtf8 { line }) => assert_eq!(line, 3),
            _ => panic!("expected a UTF-8 skip"),
        }
        assert!(matches!(
            classify(b"a\0b".to_vec()),
            Loaded::Skip(SkipReason::Binary)
        ));
    }

    #[test]
    fn one_long_line_is_minified_but_ordinary_code_is_not() {
        let bundle = "var a=1;".repeat(10_000);
        assert!(matches!(
            classify(bundle.into_bytes()),
            Loaded::Skip(SkipReason::Minified { .. })
        ));
        let code = "const value = compute(1, 2, 3);\n".repeat(2_000);
        assert!(matches!(classify(code.into_bytes()), Loaded::Text(_)));
    }

    #[test]
    fn a_long_line_is_found_wherever_it_is() {
        let line = |n: usize| format!("{}\n", "x".repeat(n));
        let short = line(40).repeat(100);
        for at in [0, 1, 50, 100] {
            let mut text = short.clone();
            text.insert_str(at * 41, &line(MINIFIED_LINE));
            assert!(super::has_long_line(text.as_bytes()), "at line {at}");
        }
        // Exactly one byte short, at the start, in the middle and at the end (without a final newline).
        let almost = "x".repeat(MINIFIED_LINE - 1);
        for text in [
            format!("{almost}\n{short}"),
            format!("{short}{almost}\n{short}"),
            format!("{short}{almost}"),
        ] {
            assert!(!super::has_long_line(text.as_bytes()));
        }
        assert!(super::has_long_line(format!("{short}{almost}x").as_bytes()));
    }
}
