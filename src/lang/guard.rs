//! Checks made on the bytes of a file before its grammar sees it, for inputs that a grammar's C code cannot
//! survive. A failed C assertion aborts the whole process, so every other file's results would be lost: such
//! files are refused before parsing, cheaply, and skipped with a reason.
//!
//! - Python: tree-sitter-python's external scanner (0.25.0, the newest release) keeps a stack of indentation
//!   widths and of open brackets and strings, and serialises it into tree-sitter's 1,024-byte buffer after
//!   every token. Its loop checks the size before writing two bytes per indentation level, so with about 383
//!   or more nested indentation levels (fewer when many brackets and strings are open) it writes 1,025
//!   bytes and `ts_parser__external_scanner_serialize` asserts `length <= 1024`. Every level on that stack is
//!   the indentation width of some line, so a file with at most 383 distinct widths cannot get there.
//! - JavaScript, TypeScript and TSX: their external scanners (template strings, JSX text, automatic
//!   semicolons) keep no state and serialise nothing; there is nothing to overflow.

use crate::source::SkipReason;

use super::Lang;

/// The most indentation levels the Python scanner can serialise whatever else is open: 2 header bytes plus
/// up to 255 delimiter bytes plus 2 bytes a level must stay under 1,024 at every step of its loop.
pub const MAX_PYTHON_INDENT_LEVELS: usize = (1024 - 2 - 255) / 2;

/// Whether `text` can be handed to `lang`'s grammar without a risk of aborting the process.
pub fn check(lang: Lang, text: &str) -> Result<(), SkipReason> {
    match lang {
        Lang::Python => {
            let levels = distinct_indent_widths(text.as_bytes());
            if levels > MAX_PYTHON_INDENT_LEVELS {
                return Err(SkipReason::TooManyIndentLevels {
                    levels,
                    limit: MAX_PYTHON_INDENT_LEVELS,
                });
            }
            Ok(())
        }
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => Ok(()),
    }
}

/// How many different non-zero indentation widths the lines of a file have, measured as the Python scanner
/// measures them (a space 1, a tab 8, a form feed or carriage return back to 0, in 16 bits): an upper bound
/// of the scanner's indentation stack. One pass, 8 KiB of bits.
fn distinct_indent_widths(bytes: &[u8]) -> usize {
    let mut seen = vec![0u64; 1 << 10];
    let mut count = 0;
    let mut line_start = true;
    let mut width: u16 = 0;
    for &b in bytes {
        if b == b'\n' {
            line_start = true;
            width = 0;
            continue;
        }
        if !line_start {
            continue;
        }
        match b {
            b' ' => width = width.wrapping_add(1),
            b'\t' => width = width.wrapping_add(8),
            b'\r' | b'\x0c' => width = 0,
            _ => {
                line_start = false;
                let (word, bit) = (usize::from(width) / 64, usize::from(width) % 64);
                if width != 0 && seen[word] & (1 << bit) == 0 {
                    seen[word] |= 1 << bit;
                    count += 1;
                }
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape that aborted the process: one more indentation level per line, with a string inside.
    pub fn deep_python(levels: usize) -> String {
        let mut s = String::new();
        for i in 0..levels {
            s.push_str(&" ".repeat(i));
            s.push_str("if x:\n");
        }
        s.push_str(&" ".repeat(levels));
        s.push_str("y = 'code_verifier'\n");
        s
    }

    #[test]
    fn counts_distinct_widths_as_the_scanner_measures_them() {
        assert_eq!(distinct_indent_widths(b"a\n  b\n  c\n\td\n    \n"), 2);
        assert_eq!(distinct_indent_widths(b"  \r  x\n"), 1);
        assert_eq!(distinct_indent_widths(deep_python(10).as_bytes()), 10);
    }

    #[test]
    fn python_deeper_than_the_scanner_can_serialise_is_refused() {
        assert!(check(Lang::Python, &deep_python(MAX_PYTHON_INDENT_LEVELS)).is_ok());
        assert!(matches!(
            check(Lang::Python, &deep_python(520)),
            Err(SkipReason::TooManyIndentLevels { levels: 520, .. })
        ));
        // JavaScript's scanners have no state: the same text is fine for them.
        assert!(check(Lang::JavaScript, &deep_python(520)).is_ok());
    }

    /// Right at the limit, with a string open, the grammar really parses (no abort): the bound is safe.
    #[test]
    fn the_limit_itself_parses() {
        let text = deep_python(MAX_PYTHON_INDENT_LEVELS);
        assert!(super::super::parse(Lang::Python, &text).is_ok());
    }
}
